namespace Qbee.Authz.Service.UnitTests.Storage.Sqlite;

/// <summary>The store suite on SQLite: runs everywhere, each test on its own database file.</summary>
public sealed class SqliteStoreConformanceTests : StoreConformanceTests
{
    private protected override async Task<StoreHarness> CreateStoreAsync(bool initialize = true) =>
        await TempSqliteStore.CreateAsync(initialize);
}
