using Dapper;

namespace Qbee.Authz.Service.UnitTests.Storage;

public sealed class SqlAuthzStoreMigrationTests
{
    [Fact]
    public async Task InitializeAsync_NewDatabase_CreatesFileAndAppliesEveryMigration()
    {
        await using var temp = await TempSqliteStore.CreateAsync();

        Assert.True(File.Exists(Path.Combine(temp.Directory, "data", "authz.db")));
        Assert.Equal(
            Service.Storage.SqliteDialect.Instance.Migrations.Count,
            await temp.CountAsync("SELECT COUNT(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task InitializeAsync_Twice_AppliesEachMigrationOnce()
    {
        await using var temp = await TempSqliteStore.CreateAsync();
        var before = await temp.DumpAsync();

        await temp.Store.InitializeAsync(CancellationToken.None);
        await temp.NewStore().InitializeAsync(CancellationToken.None);

        Assert.Equal(before, await temp.DumpAsync());
    }

    [Fact]
    public async Task InitializeAsync_Concurrently_AppliesEachMigrationOnce()
    {
        await using var temp = await TempSqliteStore.CreateAsync(initialize: false);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => temp.NewStore().InitializeAsync(CancellationToken.None))));

        Assert.Equal(
            Service.Storage.SqliteDialect.Instance.Migrations.Count,
            await temp.CountAsync("SELECT COUNT(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task InitializeAsync_SchemaNewerThanService_Throws()
    {
        await using var temp = await TempSqliteStore.CreateAsync();
        await temp.CountAsync("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0); SELECT 0");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => temp.Store.InitializeAsync(CancellationToken.None));

        Assert.Contains("999", error.Message);
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
