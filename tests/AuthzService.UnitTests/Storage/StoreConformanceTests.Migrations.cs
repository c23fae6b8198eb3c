
namespace Qbee.Authz.Service.UnitTests.Storage;

public abstract partial class StoreConformanceTests
{
    [StoreFact]
    public async Task InitializeAsync_NewDatabase_CreatesFileAndAppliesEveryMigration()
    {
        await using var temp = await CreateStoreAsync();

        Assert.True(await temp.DatabaseExistsAsync());
        Assert.Equal(
            temp.Dialect.Migrations.Count,
            await temp.CountAsync("SELECT COUNT(*) FROM schema_migrations"));
    }

    [StoreFact]
    public async Task InitializeAsync_Twice_AppliesEachMigrationOnce()
    {
        await using var temp = await CreateStoreAsync();
        var before = await temp.DumpAsync();

        await temp.Store.InitializeAsync(CancellationToken.None);
        await temp.NewStore().InitializeAsync(CancellationToken.None);

        Assert.Equal(before, await temp.DumpAsync());
    }

    [StoreFact]
    public async Task InitializeAsync_Concurrently_AppliesEachMigrationOnce()
    {
        await using var temp = await CreateStoreAsync(initialize: false);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => temp.NewStore().InitializeAsync(CancellationToken.None))));

        Assert.Equal(
            temp.Dialect.Migrations.Count,
            await temp.CountAsync("SELECT COUNT(*) FROM schema_migrations"));
    }

    [StoreFact]
    public async Task InitializeAsync_SchemaNewerThanService_Throws()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CountAsync("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0); SELECT 0");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => temp.Store.InitializeAsync(CancellationToken.None));

        Assert.Contains("999", error.Message);
    }

    [StoreFact]
    public async Task InitializeAsync_Version2HoldingADeviceInTwoAccounts_RefusesListingItAndStaysAtVersion2()
    {
        await using var temp = await Version2WithDuplicateDeviceAsync();
        var before = await temp.DumpAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => temp.NewStore().InitializeAsync(CancellationToken.None));

        Assert.Contains("version 3", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{Device} (held by acme, globex)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Samples.DeviceId(2), error.Message, StringComparison.Ordinal);
        Assert.Equal(2L, await temp.CountAsync("SELECT MAX(version) FROM schema_migrations"));
        Assert.False(await temp.IndexExistsAsync("ux_nodes_device_id"));
        Assert.Equal(before, await temp.DumpAsync());
    }

    [StoreFact]
    public async Task InitializeAsync_Version2DuplicateResolved_MigratesToTheNewestVersion()
    {
        await using var temp = await Version2WithDuplicateDeviceAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => temp.NewStore().InitializeAsync(CancellationToken.None));

        await temp.CountAsync("DELETE FROM nodes WHERE account_id = 'acme' AND node_id = @Device; SELECT 0", new { Device });
        await temp.NewStore().InitializeAsync(CancellationToken.None);

        Assert.Equal(temp.Dialect.Migrations[^1].Version, await temp.CountAsync("SELECT MAX(version) FROM schema_migrations"));
        Assert.True(await temp.IndexExistsAsync("ux_nodes_device_id"));
    }

    /// <summary>
    /// A store as version 2 left it (version 3 only adds the device-id index, version 4 the revision stamp) holding device 1 in two accounts, and
    /// device 2 in one.
    /// </summary>
    private async Task<StoreHarness> Version2WithDuplicateDeviceAsync()
    {
        var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        await temp.CreateAccountAsync("globex", "globex-owner");
        await temp.Store.PutNodeAsync(Samples.Device("globex", Device), Samples.Audit("admin.PutNode"), CancellationToken.None);
        await temp.Store.PutNodeAsync(Samples.Device("globex", Samples.DeviceId(2)), Samples.Audit("admin.PutNode"), CancellationToken.None);
        await temp.RewindToVersion2Async();
        await temp.CountAsync(
            "INSERT INTO nodes (account_id, node_id, kind, parent_id, title, agent_remote_access_disabled) "
            + "VALUES ('acme', @Device, 2, 'unassigned_group', '', @Disabled); SELECT 0",
            new { Device, Disabled = false });
        return temp;
    }
}
