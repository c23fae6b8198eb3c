using Microsoft.Data.Sqlite;
using Qbee.Authz.Service.Storage.Sqlite;

namespace Qbee.Authz.Service.UnitTests.Storage.Sqlite;

/// <summary>A real SQLite store in its own temp directory, deleted on dispose.</summary>
internal sealed class TempSqliteStore : StoreHarness
{
    private TempSqliteStore(string directory, SqliteConnectionFactory connections)
        : base(connections, SqliteDialect.Instance)
    {
        Directory = directory;
        SqliteConnections = connections;
    }

    public string Directory { get; }

    public string DatabasePath => Path.Combine(Directory, "data", "authz.db");

    public SqliteConnectionFactory SqliteConnections { get; }

    public static async Task<TempSqliteStore> CreateAsync(bool initialize = true)
    {
        var directory = Path.Combine(Path.GetTempPath(), "authz-store-tests", Guid.NewGuid().ToString("N"));
        var connections = new SqliteConnectionFactory($"Data Source={Path.Combine(directory, "data", "authz.db")}");
        var temp = new TempSqliteStore(directory, connections);
        if (initialize)
        {
            await temp.Store.InitializeAsync(CancellationToken.None);
        }

        return temp;
    }

    public override Task<bool> DatabaseExistsAsync() => Task.FromResult(File.Exists(DatabasePath));

    public override async Task<bool> IndexExistsAsync(string name) =>
        await CountAsync("SELECT COUNT(*) FROM sqlite_master WHERE name = @Name", new { Name = name }) > 0;

    public override Type EngineExceptionType => typeof(SqliteException);

    public override async Task<bool> TableExistsAsync(string name) =>
        await CountAsync("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @Name", new { Name = name }) > 0;

    // A writer takes the database before it reads: the other writer's commit comes before its checks.
    public override Task WaitUntilAWriterWaitsAsync() => Task.CompletedTask;

    public override Task RewindToVersion2Async() =>
        CountAsync(
            "DROP TABLE change_log; DROP INDEX ux_nodes_device_id; ALTER TABLE accounts DROP COLUMN revision_stamp; "
            + "DELETE FROM schema_migrations WHERE version >= 3; SELECT 0");

    public override ValueTask DisposeAsync()
    {
        SqliteConnections.ClearPool();
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
