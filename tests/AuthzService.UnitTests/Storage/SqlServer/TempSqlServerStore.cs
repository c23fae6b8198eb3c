using System.Data.Common;
using Dapper;
using Microsoft.Data.SqlClient;
using Qbee.Authz.Service.Storage.SqlServer;

namespace Qbee.Authz.Service.UnitTests.Storage.SqlServer;

/// <summary>
/// A new database on the SQL Server named by <see cref="Variable"/>, created for one test and dropped on dispose.
/// The login needs CREATE DATABASE (dbcreator).
/// </summary>
internal sealed class TempSqlServerStore : StoreHarness
{
    /// <summary>A connection string to a SQL Server; its Database (if any) is only where the test databases are created from.</summary>
    public const string Variable = "QBEE_AUTHZ_TEST_SQLSERVER";

    /// <summary>The column's default is a named constraint here, which must go before the column.</summary>
    internal const string RewindToVersion2 =
        "DROP TABLE change_log; DROP INDEX ux_nodes_device_id ON nodes; "
        + "DECLARE @stampDefault sysname = (SELECT d.name FROM sys.default_constraints d "
        + "JOIN sys.columns c ON c.object_id = d.parent_object_id AND c.column_id = d.parent_column_id "
        + "WHERE d.parent_object_id = OBJECT_ID(N'accounts') AND c.name = N'revision_stamp'); "
        + "DECLARE @dropDefault nvarchar(300) = N'ALTER TABLE accounts DROP CONSTRAINT ' + QUOTENAME(@stampDefault); "
        + "EXEC (@dropDefault); "
        + "ALTER TABLE accounts DROP COLUMN revision_stamp; "
        + "DELETE FROM schema_migrations WHERE version >= 3; SELECT 0";

    /// <summary>Version 1 numbered audit events with IDENTITY.</summary>
    internal const string AllowLegacyAuditIds = "SET IDENTITY_INSERT audit_events ON";

    private readonly string _serverConnectionString;

    private TempSqlServerStore(string serverConnectionString, string database, string connectionString)
        : base(new SqlServerConnectionFactory(connectionString), SqlServerDialect.Instance)
    {
        _serverConnectionString = serverConnectionString;
        Database = database;
    }

    public string Database { get; }

    public static async Task<TempSqlServerStore> CreateAsync(bool initialize = true)
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new InvalidOperationException($"Set {Variable} to a SQL Server connection string to run these tests.");
        }

        var database = $"qbee_authz_test_{Guid.NewGuid():N}";
        var serverConnectionString = new SqlConnectionStringBuilder(server) { InitialCatalog = "master" }.ConnectionString;
        await using (var connection = new SqlConnection(serverConnectionString))
        {
            await connection.ExecuteAsync($"CREATE DATABASE [{database}]");
        }

        var connectionString = new SqlConnectionStringBuilder(server) { InitialCatalog = database }.ConnectionString;
        var temp = new TempSqlServerStore(serverConnectionString, database, connectionString);
        if (initialize)
        {
            await temp.Store.InitializeAsync(CancellationToken.None);
        }

        return temp;
    }

    public override async Task<bool> DatabaseExistsAsync()
    {
        await using var connection = new SqlConnection(_serverConnectionString);
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT_BIG(*) FROM sys.databases WHERE name = @Database", new { Database }) > 0;
    }

    public override async Task<bool> IndexExistsAsync(string name) =>
        await CountAsync("SELECT COUNT_BIG(*) FROM sys.indexes WHERE name = @Name", new { Name = name }) > 0;

    public override Type EngineExceptionType => typeof(SqlException);

    public override Task WaitUntilAWriterWaitsAsync() => WaitUntilPositiveAsync(
        "SELECT COUNT_BIG(*) FROM sys.dm_tran_locks WHERE request_status = 'WAIT' AND resource_database_id = DB_ID()");

    public override async Task<bool> TableExistsAsync(string name) =>
        await CountAsync("SELECT COUNT_BIG(*) FROM sys.tables WHERE name = @Name", new { Name = name }) > 0;

    public override Task RewindToVersion2Async() => CountAsync(RewindToVersion2);

    public override Task AllowLegacyAuditIdsAsync(DbConnection connection) => connection.ExecuteAsync(AllowLegacyAuditIds);

    public override async ValueTask DisposeAsync()
    {
        SqlConnection.ClearAllPools();
        await using var connection = new SqlConnection(_serverConnectionString);
        await connection.ExecuteAsync($"ALTER DATABASE [{Database}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [{Database}]");
    }
}
