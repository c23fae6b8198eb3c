using Dapper;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.Service.Storage.Postgres;
using Qbee.Authz.TestKit;

namespace Qbee.Authz.Service.UnitTests.Storage.Postgres;

public sealed class PostgresConnectionFactoryTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task BeginTransactionAsync_ReadAndWrite_RepeatableReadSnapshotAndReadCommittedWrites()
    {
        var server = await PostgresServer.SharedAsync();
        await using var factory = new PostgresConnectionFactory(await server.CreateDatabaseAsync());

        await using var read = await StoreTransaction.BeginAsync(factory, write: false, Ct);
        await using var write = await StoreTransaction.BeginAsync(factory, write: true, Ct);

        Assert.Equal("repeatable read", await read.ScalarAsync<string>("SHOW transaction_isolation"));
        Assert.Equal("read committed", await write.ScalarAsync<string>("SHOW transaction_isolation"));
    }

    [Fact]
    public async Task OpenAsync_AfterTheServerRestarted_PooledConnectionsAreNotHandedOutDead()
    {
        await using var server = await PostgresServer.StartAsync();
        await using var factory = new PostgresConnectionFactory(await server.CreateDatabaseAsync());
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            await using var tx = await StoreTransaction.BeginAsync(factory, write: true, Ct);
            await tx.ScalarAsync<long>("SELECT COUNT(*) FROM pg_sleep(0.05)");
        }));

        await server.KillAsync();
        await server.RestartAsync();

        // A failed first attempt is allowed (the pool learns the server went away from it), but one at most: the
        // next transaction gets a new connection, not the next dead one of the pool.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var tx = await StoreTransaction.BeginAsync(factory, write: true, Ct);
                Assert.Equal(1, await tx.ScalarAsync<int>("SELECT 1"));
                break;
            }
            catch (Npgsql.NpgsqlException) when (attempt < 2)
            {
            }
        }
    }
}
