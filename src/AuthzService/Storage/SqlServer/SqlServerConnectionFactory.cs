using System.Data;
using System.Data.Common;
using Dapper;
using Microsoft.Data.SqlClient;

namespace Qbee.Authz.Service.Storage.SqlServer;

/// <summary>
/// Microsoft.Data.SqlClient connections. Reads run under SNAPSHOT isolation (one consistent view, no locks, as a
/// SQLite deferred transaction in WAL mode). Writes run under READ COMMITTED: what serialises them is the account
/// row, locked first by <see cref="SqlServerDialect.SelectAccountRevisionForUpdate"/>, and the other locked reads
/// of <see cref="SqlServerDialect"/>; SERIALIZABLE would add range locks on every read, and deadlocks between
/// writers of neighbouring accounts.
/// </summary>
internal sealed class SqlServerConnectionFactory : IStoreConnectionFactory
{
    /// <summary>
    /// SNAPSHOT transactions need the database option on. ALTER DATABASE cannot run inside a transaction, so it is
    /// not a migration: the first connection of the process turns it on when it is off.
    /// </summary>
    public const string EnableSnapshotIsolation =
        "IF NOT EXISTS (SELECT 1 FROM sys.databases WHERE database_id = DB_ID() AND snapshot_isolation_state = 1) "
        + "ALTER DATABASE CURRENT SET ALLOW_SNAPSHOT_ISOLATION ON";

    private readonly string _connectionString;
    private int _snapshotIsolationChecked;

    public SqlServerConnectionFactory(string connectionString)
    {
        _connectionString = connectionString;
    }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqlConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (Volatile.Read(ref _snapshotIsolationChecked) == 0)
            {
                await EnableSnapshotIsolationAsync(connection, cancellationToken);
                Volatile.Write(ref _snapshotIsolationChecked, 1);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public ValueTask<DbTransaction> BeginTransactionAsync(DbConnection connection, bool write, CancellationToken cancellationToken) =>
        connection.BeginTransactionAsync(write ? IsolationLevel.ReadCommitted : IsolationLevel.Snapshot, cancellationToken);

    private static async Task EnableSnapshotIsolationAsync(SqlConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(EnableSnapshotIsolation, cancellationToken: cancellationToken));
        }
        catch (SqlException e)
        {
            throw new InvalidOperationException(
                $"Snapshot isolation is off in database '{connection.Database}' and this login may not turn it on ({e.Message}). "
                + $"Run once with a privileged login: ALTER DATABASE [{connection.Database}] SET ALLOW_SNAPSHOT_ISOLATION ON",
                e);
        }
    }
}
