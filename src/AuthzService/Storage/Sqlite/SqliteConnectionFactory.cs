using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Qbee.Authz.Service.Storage.Sqlite;

/// <summary>Microsoft.Data.Sqlite connections: WAL, every commit synced to disk, a busy timeout, foreign keys on.</summary>
/// <remarks>
/// A commit is in the WAL file before it returns: it survives the process being killed. With synchronous=FULL the
/// WAL is also fsynced at each commit, so it survives a power loss or kernel crash too (on a disk that honours
/// fsync): a connect check is answered only after its audit event's commit, and that is the promise. A group of
/// checks shares one commit, so the fsync is paid per batch, not per check.
/// </remarks>
internal sealed class SqliteConnectionFactory : IStoreConnectionFactory
{
    // busy_timeout: waits for another writer instead of failing at once with SQLITE_BUSY (a lock held longer
    // fails the write; audit waits are bounded by their own deadline, not by this). synchronous is per connection.
    private const string ConnectionPragmas = "PRAGMA busy_timeout = 5000; PRAGMA synchronous = FULL;";

    private readonly string _connectionString;
    private int _journalModeSet;

    public SqliteConnectionFactory(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { ForeignKeys = true };
        _connectionString = builder.ToString();
        CreateDirectory(builder);
    }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(ConnectionPragmas, cancellationToken: cancellationToken));

            // WAL is a property of the database file: setting it once per process is enough. It lets
            // snapshot readers run while a writer commits.
            if (Volatile.Read(ref _journalModeSet) == 0)
            {
                await connection.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode = WAL", cancellationToken: cancellationToken));
                Volatile.Write(ref _journalModeSet, 1);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public ValueTask<DbTransaction> BeginTransactionAsync(DbConnection connection, bool write, CancellationToken cancellationToken)
    {
        // Deferred: a read snapshot that starts at the first SELECT. Immediate (BEGIN IMMEDIATE): takes the write
        // lock up front, so two writers never both read and then deadlock upgrading their locks.
        var transaction = ((SqliteConnection)connection).BeginTransaction(deferred: !write);
        return ValueTask.FromResult<DbTransaction>(transaction);
    }

    /// <summary>Closes pooled connections to this database (tests delete the file afterwards).</summary>
    public void ClearPool()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private static void CreateDirectory(SqliteConnectionStringBuilder builder)
    {
        var dataSource = builder.DataSource;
        if (builder.Mode == SqliteOpenMode.Memory
            || string.IsNullOrEmpty(dataSource)
            || dataSource.Equals(":memory:", StringComparison.OrdinalIgnoreCase)
            || dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
    }
}
