namespace Qbee.Authz.Service.UnitTests.Storage.SqlServer;

/// <summary>
/// The store suite on SQL Server, each test on a database of its own: discovered only when
/// <see cref="TempSqlServerStore.Variable"/> holds a connection string (see README, Running against SQL Server).
/// </summary>
[RequiresVariable(TempSqlServerStore.Variable)]
public sealed class SqlServerStoreConformanceTests : StoreConformanceTests
{
    private protected override async Task<StoreHarness> CreateStoreAsync(bool initialize = true) =>
        await TempSqlServerStore.CreateAsync(initialize);
}
