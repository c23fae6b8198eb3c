namespace Qbee.Authz.Service.UnitTests.Storage.Postgres;

/// <summary>The store suite on PostgreSQL: runs everywhere (TestKit starts the server), each test on a database of its own.</summary>
public sealed class PostgresStoreConformanceTests : StoreConformanceTests
{
    private protected override async Task<StoreHarness> CreateStoreAsync(bool initialize = true) =>
        await TempPostgresStore.CreateAsync(initialize);
}
