using System.Data.Common;
using Dapper;

namespace Qbee.Authz.Service.Storage;

/// <summary>
/// A connection and its open transaction: every command runs in the transaction with the caller's
/// cancellation token. Disposing without <see cref="CommitAsync"/> rolls back.
/// </summary>
internal sealed class StoreTransaction(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    : IAsyncDisposable
{
    /// <summary>Opens a connection and starts a transaction on it the provider's way (see <see cref="IStoreConnectionFactory"/>).</summary>
    public static async Task<StoreTransaction> BeginAsync(IStoreConnectionFactory connections, bool write, CancellationToken cancellationToken)
    {
        var connection = await connections.OpenAsync(cancellationToken);
        try
        {
            var transaction = await connections.BeginTransactionAsync(connection, write, cancellationToken);
            return new StoreTransaction(connection, transaction, cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public Task<int> ExecuteAsync(string sql, object? param = null) => connection.ExecuteAsync(Define(sql, param));

    /// <summary>Holds <paramref name="key"/> to the end of the transaction where the dialect locks keys (see <see cref="SqlDialect.LockKey"/>).</summary>
    public Task LockKeyAsync(SqlDialect sql, string key) =>
        sql.LockKey is { } lockKey ? ExecuteAsync(lockKey, new { Key = key }) : Task.CompletedTask;

    /// <summary>
    /// Holds every key to the end of the transaction (see <see cref="SqlDialect.LockKeys"/>), taken in ordinal order:
    /// two transactions that lock overlapping sets each wait at most for the other's end, never for each other.
    /// </summary>
    public Task LockKeysAsync(SqlDialect sql, IEnumerable<string> keys)
    {
        if (sql.LockKeys is not { } lockKeys)
        {
            return Task.CompletedTask;
        }

        var sorted = keys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return sorted.Length == 0 ? Task.CompletedTask : ExecuteAsync(lockKeys, new { Keys = sorted });
    }

    public Task<T?> ScalarAsync<T>(string sql, object? param = null) => connection.ExecuteScalarAsync<T>(Define(sql, param));

    public Task<T?> SingleOrDefaultAsync<T>(string sql, object? param = null) =>
        connection.QuerySingleOrDefaultAsync<T>(Define(sql, param));

    public Task<IEnumerable<T>> QueryAsync<T>(string sql, object? param = null) => connection.QueryAsync<T>(Define(sql, param));

    /// <summary>For large reads mapped by hand: still parameterised through Dapper.</summary>
    public Task<DbDataReader> ReaderAsync(string sql, object? param = null) => connection.ExecuteReaderAsync(Define(sql, param));

    /// <summary>A command in the transaction, for one statement run many times with new parameter values.</summary>
    public DbCommand Command(string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    public CancellationToken CancellationToken => cancellationToken;

    public Task CommitAsync() => transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }

    private CommandDefinition Define(string sql, object? param) =>
        new(sql, param, transaction, cancellationToken: cancellationToken);
}
