namespace Qbee.Authz.Service.UnitTests.Storage;

/// <summary>
/// What every store provider must do, run against a real database of each (as OpenFGA's <c>pkg/storage/test</c>
/// runs one suite on every datastore): writes and their rules, reads and the snapshot load, migrations, the audit log,
/// and concurrent writers. A provider subclasses it with <see cref="CreateStoreAsync"/>; its tests are
/// <see cref="StoreFactAttribute"/>s, so a provider that needs a server can be left out where there is none.
/// </summary>
public abstract partial class StoreConformanceTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly string Device = Samples.DeviceId(1);

    /// <summary>A new, empty database of the provider, migrated unless <paramref name="initialize"/> is false.</summary>
    private protected abstract Task<StoreHarness> CreateStoreAsync(bool initialize = true);
}
