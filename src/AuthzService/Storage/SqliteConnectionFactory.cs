using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Qbee.Authz.Service.Storage;

/// <summary>Microsoft.Data.Sqlite connections: WAL, a busy timeout, foreign keys on.</summary>
internal sealed class SqliteConnectionFactory : IStoreConnectionFactory
{
    // Waits for another writer instead of failing at once with SQLITE_BUSY.
    private const int BusyTimeoutMilliseconds = 5000;

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
            await connection.ExecuteAsync(new CommandDefinition(
                $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}", cancellationToken: cancellationToken));

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
