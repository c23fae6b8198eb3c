using BenchmarkDotNet.Attributes;
using Qbee.Authz.Service.Checks;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Resources;
using Qbee.Authz.Service.Grpc;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.Service.Storage.Sqlite;

namespace Qbee.Authz.Benchmarks;

/// <summary>
/// The first page (100) of ListAllowedDevices for device:read over the 100k-device snapshot, through the
/// service's own ScopeQueries (registry, resolver). The cost is the number of devices scanned
/// in id order until 100 are allowed: a dense tag scope stops early, a 10-device leaf scans the whole fleet.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class ListAllowedDevicesBenchmarks
{
    private ScopeQueries _queries = null!;
    private DeviceListQuery _query;

    /// <summary>Tag: about 7% of the fleet. Group: one level-2 group, 1%. Leaf: one leaf group, 10 devices.</summary>
    [Params(AccountGenerator.TagReader, AccountGenerator.GroupReader, AccountGenerator.LeafReader)]
    public string User { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var registry = new SnapshotRegistry();
        registry.Publish(Fleet.Snapshot);
        var readiness = new Readiness();
        readiness.MarkReady();
        // The store is asked only for users unknown at a min_revision, which this benchmark never sends.
        var store = new SqlAuthzStore(new SqliteConnectionFactory("Data Source=:memory:"), SqliteDialect.Instance, TimeProvider.System);
        _queries = new ScopeQueries(new UserResolver(registry, readiness, store));
        _query = new DeviceListQuery(Fleet.Fresh(User), Permission.DeviceRead, RemoteAccessQuery.None, PageToken.DefaultPageSize, After: string.Empty, MinRevision: 0);

        var page = FirstPage();
        var full = page >= 100;
        if (page == 0 || full != (User != AccountGenerator.LeafReader))
        {
            throw new InvalidOperationException($"{User}: unexpected first page of {page} devices");
        }
    }

    [Benchmark]
    public int FirstPage() =>
        _queries.ListAllowedDevicesAsync(_query, CancellationToken.None).GetAwaiter().GetResult().DeviceIds.Count;
}
