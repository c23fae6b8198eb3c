using System.Data.Common;
using System.Text.Json;
using Dapper;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.UnitTests.Storage;

/// <summary>
/// A real, empty database of one provider for one test, dropped on dispose: what <see cref="StoreConformanceTests"/>
/// needs of a provider. The few steps that only the engine's own SQL can take (looking up an index, rewinding the
/// schema) are abstract.
/// </summary>
internal abstract class StoreHarness : IAsyncDisposable
{
    private static readonly string[] Tables =
    [
        "schema_migrations", "accounts", "roles", "users", "user_roles", "nodes", "node_tags", "remote_access_settings",
        "audit_segments", "audit_segment_subjects", "audit_sequence", "change_log",
    ];

    protected StoreHarness(IStoreConnectionFactory connections, SqlDialect dialect)
    {
        Connections = connections;
        Dialect = dialect;
        Store = NewStore();
    }

    public IStoreConnectionFactory Connections { get; }

    public SqlDialect Dialect { get; }

    public IAuthzStore Store { get; }

    /// <summary>A second store over the same database, as another instance of the service would be.</summary>
    public IAuthzStore NewStore() => new SqlAuthzStore(Connections, Dialect, TimeProvider.System);

    /// <summary>Whether the database (the SQLite file, the SQL Server database) exists.</summary>
    public abstract Task<bool> DatabaseExistsAsync();

    public abstract Task<bool> IndexExistsAsync(string name);

    /// <summary>The exception type the provider's driver throws for an engine error (a constraint, a lock).</summary>
    public abstract Type EngineExceptionType { get; }

    /// <summary>From the engine's catalogue, not the dialect's statements, so it checks them rather than repeats them.</summary>
    public abstract Task<bool> TableExistsAsync(string name);

    /// <summary>
    /// Takes the schema back to version 2, as a store written by that release: no device-id index (3), no stamp (4),
    /// no change log (5).
    /// </summary>
    public abstract Task RewindToVersion2Async();

    /// <summary>
    /// Returns once a transaction of this database waits for a lock another holds (bounded: fails after 30 s), so a
    /// test can commit the holder exactly when a racing writer is past its checks. An engine whose writers take turns
    /// on the whole database before they read (SQLite) has no such race to wait for.
    /// </summary>
    public abstract Task WaitUntilAWriterWaitsAsync();

    /// <summary>Lets <paramref name="connection"/> insert schema version 1's audit rows with their own ids.</summary>
    public virtual Task AllowLegacyAuditIdsAsync(DbConnection connection) => Task.CompletedTask;

    public abstract ValueTask DisposeAsync();

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
            // A store rewound to an older version lacks the tables of the newer ones.
            if (!await TableExistsAsync(table))
            {
                continue;
            }

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

    /// <summary>Polls <paramref name="sql"/> (a count) until it is above zero, for at most 30 s.</summary>
    protected async Task WaitUntilPositiveAsync(string sql)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await CountAsync(sql) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "no transaction came to wait for a lock within 30 s");
            await Task.Delay(10);
        }
    }

    public async Task<long> CountAsync(string sql, object? param = null)
    {
        await using var connection = await Connections.OpenAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, param));
    }
}
