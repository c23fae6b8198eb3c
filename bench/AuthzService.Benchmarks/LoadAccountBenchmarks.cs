using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Dapper;
using Microsoft.Data.Sqlite;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.Service.Storage.Sqlite;

namespace Qbee.Authz.Benchmarks;

/// <summary>
/// SqlAuthzStore.LoadAccountAsync of the 100k-device account from a SQLite file (WAL, warm page cache), and
/// the load followed by the compile: a cold start of one account. The file is seeded once, in one transaction
/// with the dialect's own statements (the admin API would take one transaction per node).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 8)]
public class LoadAccountBenchmarks
{
    private string _directory = "";
    private SqliteConnectionFactory _connections = null!;
    private SqlAuthzStore _store = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _directory = Path.Combine(Path.GetTempPath(), "authz-bench", Guid.NewGuid().ToString("N"));
        _connections = new SqliteConnectionFactory($"Data Source={Path.Combine(_directory, "authz.db")}");
        _store = new SqlAuthzStore(_connections, SqliteDialect.Instance, TimeProvider.System);
        await _store.InitializeAsync(CancellationToken.None);
        var data = Fleet.Data;
        await SeedAsync(data);

        var loaded = await _store.LoadAccountAsync(AccountGenerator.AccountId, CancellationToken.None)
            ?? throw new InvalidOperationException("the seeded account does not load");
        if (loaded.Nodes.Count != data.Nodes.Count || loaded.Users.Count != data.Users.Count
            || loaded.Roles.Count != data.Roles.Count || loaded.RemoteAccessSettings.Count != data.RemoteAccessSettings.Count)
        {
            throw new InvalidOperationException("the seeded account loads with other counts than generated");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _connections.ClearPool();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public async Task<int> Load() =>
        (await _store.LoadAccountAsync(AccountGenerator.AccountId, CancellationToken.None))!.Nodes.Count;

    [Benchmark]
    public async Task<int> LoadAndCompile() =>
        AccountGenerator.Compile((await _store.LoadAccountAsync(AccountGenerator.AccountId, CancellationToken.None))!).DeviceCount;

    private async Task SeedAsync(AccountData data)
    {
        var sql = SqliteDialect.Instance;
        var accountId = data.Account.AccountId;
        await using var connection = await _connections.OpenAsync(CancellationToken.None);
        await using var tx = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(sql.InsertAccount, new { AccountId = accountId, data.Account.Name, data.Account.Revision, CreatedAt = 0L }, tx);
        await connection.ExecuteAsync(sql.UpsertRole, data.Roles.Select(r => new
        {
            r.AccountId,
            r.RoleId,
            r.Name,
            r.Description,
            Policies = PolicyJson.Serialize(r.Policies),
        }), tx);
        await connection.ExecuteAsync(sql.UpsertUser, data.Users.Select(u => new
        {
            u.UserId,
            u.AccountId,
            u.Email,
            EmailNormalized = u.Email.ToLowerInvariant(),
            u.FirstName,
            u.LastName,
            Status = (long)u.Status,
        }), tx);
        await connection.ExecuteAsync(sql.InsertUserRole, data.Users.SelectMany(u => u.RoleIds.Select((roleId, position) => new
        {
            u.UserId,
            u.AccountId,
            RoleId = roleId,
            Position = (long)position,
        })), tx);
        await connection.ExecuteAsync(sql.UpsertNode, data.Nodes.Select(n => new
        {
            n.AccountId,
            n.NodeId,
            Kind = (long)n.Kind,
            n.ParentId,
            n.Title,
            n.AgentRemoteAccessDisabled,
        }), tx);
        await connection.ExecuteAsync(sql.InsertNodeTag, data.Nodes.SelectMany(n => n.Tags.Select((tag, position) => new
        {
            n.AccountId,
            n.NodeId,
            Tag = tag,
            Position = (long)position,
        })), tx);
        await connection.ExecuteAsync(sql.UpsertRemoteAccessSetting, data.RemoteAccessSettings.Select(s => new
        {
            AccountId = accountId,
            TargetKind = (long)s.TargetKind,
            s.Target,
            s.Enabled,
            s.ChangedRevision,
        }), tx);
        await tx.CommitAsync();
    }
}
