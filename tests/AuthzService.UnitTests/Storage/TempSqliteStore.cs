using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.Service.Storage.Sqlite;

namespace Qbee.Authz.Service.UnitTests.Storage;

/// <summary>A real SQLite store in its own temp directory, deleted on dispose.</summary>
internal sealed class TempSqliteStore : IAsyncDisposable
{
    private static readonly string[] Tables =
    [
        "schema_migrations", "accounts", "roles", "users", "user_roles", "nodes", "node_tags", "remote_access_settings",
        "audit_segments", "audit_segment_subjects", "audit_sequence",
    ];

    private TempSqliteStore(string directory)
    {
        Directory = directory;
        ConnectionString = $"Data Source={Path.Combine(directory, "data", "authz.db")}";
        Connections = new SqliteConnectionFactory(ConnectionString);
        Store = NewStore();
    }

    public string Directory { get; }

    public string ConnectionString { get; }

    public SqliteConnectionFactory Connections { get; }

    public SqlAuthzStore Store { get; }

    public static async Task<TempSqliteStore> CreateAsync(bool initialize = true)
    {
        var directory = Path.Combine(Path.GetTempPath(), "authz-store-tests", Guid.NewGuid().ToString("N"));
        var temp = new TempSqliteStore(directory);
        if (initialize)
        {
            await temp.Store.InitializeAsync(CancellationToken.None);
        }

        return temp;
    }

    /// <summary>A second store over the same database, as another instance of the service would be.</summary>
    public SqlAuthzStore NewStore() => new(Connections, SqliteDialect.Instance, TimeProvider.System);

    public async Task<AccountData> CreateAccountAsync(string accountId = "acme", string ownerId = "owner", string? email = null)
    {
        await Store.CreateAccountAsync(
            Samples.Account(accountId),
            Samples.DefaultRole(accountId),
            Samples.User(accountId, ownerId, email ?? $"{ownerId}@{accountId}.example", Ids.DefaultRoleId),
            Samples.Audit("admin.CreateAccount"),
            CancellationToken.None);
        return (await Store.LoadAccountAsync(accountId, CancellationToken.None))!;
    }

    public async Task<long> RevisionAsync(string accountId) =>
        (await Store.GetAccountAsync(accountId, CancellationToken.None))!.Revision;

    /// <summary>Every row of every table, as text: two dumps are equal when the database did not change.</summary>
    public async Task<string> DumpAsync()
    {
        await using var connection = await Connections.OpenAsync(CancellationToken.None);
        var dump = new Dictionary<string, List<IDictionary<string, object>>>();
        foreach (var table in Tables)
        {
            var rows = await connection.QueryAsync(new CommandDefinition($"SELECT * FROM {table} ORDER BY 1, 2"));
            dump[table] = rows.Select(r => (IDictionary<string, object>)r).ToList();
        }

        return JsonSerializer.Serialize(dump);
    }

    /// <summary>Runs a write that must be refused, and checks that it changed nothing at all.</summary>
    public async Task<TException> AssertRefusedAsync<TException>(Func<Task> write)
        where TException : Exception
    {
        var before = await DumpAsync();
        var exception = await Assert.ThrowsAsync<TException>(write);
        Assert.Equal(before, await DumpAsync());
        return exception;
    }

    public async Task<long> CountAsync(string sql, object? param = null)
    {
        await using var connection = await Connections.OpenAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, param));
    }

    public ValueTask DisposeAsync()
    {
        Connections.ClearPool();
        SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind must not fail the test.
        }

        return ValueTask.CompletedTask;
    }
}
