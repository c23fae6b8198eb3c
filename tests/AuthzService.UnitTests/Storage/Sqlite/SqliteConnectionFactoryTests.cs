using Dapper;

namespace Qbee.Authz.Service.UnitTests.Storage.Sqlite;

public sealed class SqliteConnectionFactoryTests
{
    [Fact]
    public async Task OpenAsync_AnyConnection_WalJournalAndEveryCommitSynced()
    {
        await using var temp = await TempSqliteStore.CreateAsync();

        await using var connection = await temp.Connections.OpenAsync(CancellationToken.None);

        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
        Assert.Equal(2L, await connection.ExecuteScalarAsync<long>("PRAGMA synchronous")); // FULL: survives a power loss
        Assert.Equal(5000L, await connection.ExecuteScalarAsync<long>("PRAGMA busy_timeout"));
    }

    [Fact]
    public async Task OpenAsync_Connection_UsesWalAndForeignKeys()
    {
        await using var temp = await TempSqliteStore.CreateAsync();
        await using var connection = await temp.Connections.OpenAsync(CancellationToken.None);

        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>(new CommandDefinition("PRAGMA journal_mode")));
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>(new CommandDefinition("PRAGMA foreign_keys")));
        Assert.True(await connection.ExecuteScalarAsync<long>(new CommandDefinition("PRAGMA busy_timeout")) > 0);
    }
}
