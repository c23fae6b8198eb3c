using System.Data;
using System.Data.Common;
using Npgsql;

namespace Qbee.Authz.Service.Storage.Postgres;

/// <summary>
/// Npgsql connections from one <see cref="NpgsqlDataSource"/> (its pool). Reads run under REPEATABLE READ: one
/// consistent snapshot, no locks, and never a serialization failure for a transaction that only reads. Writes run
/// under READ COMMITTED with row locks, not SERIALIZABLE: what serialises them is the account row, locked first by
/// <see cref="PostgresDialect.SelectAccountRevisionForUpdate"/>, and the keys of <see cref="PostgresDialect.LockKey"/>,
/// so a writer waits for the one before it instead of failing. SERIALIZABLE would abort writers of different accounts
/// on its predicate locks' false conflicts, and a write is not retried once it may have been applied: the caller
/// would see UNAVAILABLE under plain load.
/// </summary>
internal sealed class PostgresConnectionFactory : IStoreConnectionFactory, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgresConnectionFactory(string connectionString)
    {
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    public ValueTask<DbTransaction> BeginTransactionAsync(DbConnection connection, bool write, CancellationToken cancellationToken) =>
        connection.BeginTransactionAsync(write ? IsolationLevel.ReadCommitted : IsolationLevel.RepeatableRead, cancellationToken);

    /// <summary>Closes the pooled connections (tests drop the database afterwards).</summary>
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
