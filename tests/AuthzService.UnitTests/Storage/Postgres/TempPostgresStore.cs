using Npgsql;
using Qbee.Authz.Service.Storage.Postgres;
using Qbee.Authz.TestKit;

namespace Qbee.Authz.Service.UnitTests.Storage.Postgres;

/// <summary>A new database on the run's PostgreSQL server (<see cref="PostgresServer.SharedAsync"/>), created for one test and dropped on dispose.</summary>
internal sealed class TempPostgresStore : StoreHarness
{
    private readonly PostgresServer _server;
    private readonly PostgresConnectionFactory _connections;

    private TempPostgresStore(PostgresServer server, string database, PostgresConnectionFactory connections)
        : base(connections, PostgresDialect.Instance)
    {
        _server = server;
        _connections = connections;
        Database = database;
    }

    public string Database { get; }

    /// <summary>Undoes migrations 3 to 5 as written; PostgreSQL drops a column with its default.</summary>
    internal const string RewindToVersion2 =
        "DROP TABLE change_log; DROP INDEX ux_nodes_device_id; ALTER TABLE accounts DROP COLUMN revision_stamp; "
        + "DELETE FROM schema_migrations WHERE version >= 3; SELECT 0";

    public static async Task<TempPostgresStore> CreateAsync(bool initialize = true)
    {
        var server = await PostgresServer.SharedAsync();
        var connectionString = await server.CreateDatabaseAsync();
        var temp = new TempPostgresStore(
            server, new NpgsqlConnectionStringBuilder(connectionString).Database!, new PostgresConnectionFactory(connectionString));
        if (initialize)
        {
            await temp.Store.InitializeAsync(CancellationToken.None);
        }

        return temp;
    }

    public override async Task<bool> DatabaseExistsAsync()
    {
        await using var connection = new NpgsqlConnection(_server.ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM pg_database WHERE datname = @Database", connection);
        command.Parameters.AddWithValue("Database", Database);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    public override async Task<bool> IndexExistsAsync(string name) =>
        await CountAsync("SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = @Name", new { Name = name }) > 0;

    public override Type EngineExceptionType => typeof(PostgresException);

    public override async Task<bool> TableExistsAsync(string name) =>
        await CountAsync("SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = @Name", new { Name = name }) > 0;

    // A row lock or a unique-index wait shows as an ungranted lock of a backend of this database.
    public override Task WaitUntilAWriterWaitsAsync() => WaitUntilPositiveAsync(
        "SELECT COUNT(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.datname = current_database()");

    public override Task RewindToVersion2Async() => CountAsync(RewindToVersion2);

    public override async ValueTask DisposeAsync()
    {
        await _connections.DisposeAsync();
        await _server.DropDatabaseAsync(Database);
    }
}
