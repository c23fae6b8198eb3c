using System.Diagnostics.Metrics;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Domain.Changes;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.Service.Telemetry;
using Qbee.Authz.Service.UnitTests.Storage;
using Qbee.Authz.Service.UnitTests.Storage.Sqlite;
using Qbee.Authz.TestKit;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Qbee.Authz.Service.UnitTests.Snapshots;

/// <summary>
/// Replicas that follow by change sets: refreshers, each with its own registry, on one real SQLite store and one real
/// redis-server, driven by hand (a write, then the other's FollowAsync or PollAsync, as RevisionSync would call them).
/// </summary>
public sealed class ChangeSetSyncTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Acme = "acme";
    private const int ChangeSetsAppliedEvent = 40;
    private const int SourceEvent = 35;
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly List<Replica> _replicas = [];
    private TempSqliteStore _store = null!;
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _inspect = null!;

    public async Task InitializeAsync()
    {
        _store = await TempSqliteStore.CreateAsync();
        _redis = await RedisServer.StartAsync();
        _inspect = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration);
    }

    public async Task DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.Connection.DisposeAsync();
        }

        await _inspect.DisposeAsync();
        await _redis.DisposeAsync();
        await _store.DisposeAsync();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task FollowAsync_AWriteOnTheOtherReplica_PatchesWithItsChangeSetFromRedis()
    {
        var a = await ReplicaAsync();
        var b = await ReplicaAsync();
        await WriteAsync(a, s => CreateAsync(s, devices: 300));
        await b.Refresher.LoadAllAsync(Ct);

        var revision = await WriteAsync(a, s => s.PutUserAsync(Samples.User(Acme, "bob", null, "default"), Samples.Audit("admin.put_user"), Ct));
        await b.Refresher.FollowAsync(Acme, await StoredAsync(), Ct);

        Assert.Equal(await StoredAsync(), b.Registry.Get(Acme)!.Version);
        Assert.Equal(revision, b.Registry.Get(Acme)!.Revision);
        Assert.True(b.Registry.TryFindUser("bob", out _, out _));
        var applied = Assert.Single(b.Log.Lines, l => l.EventId.Id == ChangeSetsAppliedEvent);
        Assert.Contains("applied 1 change sets", applied.Message, StringComparison.Ordinal);
        Assert.Contains("(1 from Redis", applied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FollowAsync_AGapInTheStream_FillsItFromTheStoresChangeLog()
    {
        var a = await ReplicaAsync();
        var b = await ReplicaAsync();
        await WriteAsync(a, s => CreateAsync(s, devices: 300));
        await b.Refresher.LoadAllAsync(Ct);
        await WriteAsync(a, s => s.PutRoleAsync(Samples.Role(Acme, "auditor", null, new PolicyRecord("audit:read", [])), Samples.Audit("admin.put_role"), Ct));
        var lost = await WriteAsync(a, s => s.PutUserAsync(Samples.User(Acme, "bob", null, "auditor"), Samples.Audit("admin.put_user"), Ct));
        await WriteAsync(a, s => s.PutUserAsync(Samples.User(Acme, "carol", null, "auditor"), Samples.Audit("admin.put_user"), Ct));
        Assert.Equal(1, await _inspect.GetDatabase().StreamDeleteAsync($"qbee-authz:account:{Acme}:changes", [$"{lost}-0"]));

        await b.Refresher.FollowAsync(Acme, await StoredAsync(), Ct);

        Assert.Equal(await StoredAsync(), b.Registry.Get(Acme)!.Version);
        Assert.True(b.Registry.TryFindUser("bob", out _, out _));
        Assert.True(b.Registry.TryFindUser("carol", out _, out _));
        var applied = Assert.Single(b.Log.Lines, l => l.EventId.Id == ChangeSetsAppliedEvent);
        Assert.Contains("applied 3 change sets", applied.Message, StringComparison.Ordinal);
        Assert.Contains("(1 from Redis", applied.Message, StringComparison.Ordinal); // the role; bob's and carol's from SQL
    }

    [Fact]
    public async Task PollAsync_RedisDown_PatchesFromTheStoresChangeLog()
    {
        var a = await ReplicaAsync();
        var b = await ReplicaAsync();
        await WriteAsync(a, s => CreateAsync(s, devices: 300));
        await b.Refresher.LoadAllAsync(Ct);
        await _redis.KillAsync();

        await WriteAsync(a, s => s.PutUserAsync(Samples.User(Acme, "bob", null, "default"), Samples.Audit("admin.put_user"), Ct));
        await b.Refresher.PollAsync(Ct);

        Assert.Equal(await StoredAsync(), a.Registry.Get(Acme)!.Version);
        Assert.Equal(await StoredAsync(), b.Registry.Get(Acme)!.Version);
        Assert.True(b.Registry.TryFindUser("bob", out _, out _));
        Assert.Contains(b.Log.Lines, l => l.EventId.Id == ChangeSetsAppliedEvent && l.Message.Contains("(0 from Redis", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PollAsync_ChangeLogPurgedPastTheHeldVersion_LoadsTheAccountWhole()
    {
        var a = await ReplicaAsync();
        var b = await ReplicaAsync(PurgedChangeLog.Over(_store.Store), redis: false);
        await WriteAsync(a, s => CreateAsync(s, devices: 300));
        await b.Refresher.LoadAllAsync(Ct);

        await WriteAsync(a, s => s.PutUserAsync(Samples.User(Acme, "bob", null, "default"), Samples.Audit("admin.put_user"), Ct));
        await b.Refresher.PollAsync(Ct);

        Assert.Equal(await StoredAsync(), b.Registry.Get(Acme)!.Version);
        Assert.True(b.Registry.TryFindUser("bob", out _, out _));
        Assert.Equal(0, b.Log.Count(ChangeSetsAppliedEvent));
        Assert.Equal(2, b.Log.Lines.Count(l => l.EventId.Id == SourceEvent && l.Message.EndsWith("from SQL", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task LoadAllAsync_ColdReplica_StartsFromTheCompactedSnapshotAndTheChangeSetsAfterIt()
    {
        var a = await ReplicaAsync();
        await WriteAsync(a, s => CreateAsync(s, devices: 300));
        await a.Compactor.IdleAsync(Acme);
        var compacted = await a.Cache.GetCompactedVersionAsync(Acme);
        await WriteAsync(a, s => s.PutUserAsync(Samples.User(Acme, "bob", null, "default"), Samples.Audit("admin.put_user"), Ct));
        await WriteAsync(a, s => s.DeleteNodeAsync(Acme, Samples.DeviceId(7), Samples.Audit("admin.delete_node"), Ct));
        Assert.Equal(2, await StoredAsync() is var stored ? stored.Revision - compacted!.Value.Revision : 0);

        var cold = await ReplicaAsync();
        await cold.Refresher.LoadAllAsync(Ct);

        var snapshot = cold.Registry.Get(Acme)!;
        Assert.Equal(stored, snapshot.Version);
        Assert.True(cold.Registry.TryFindUser("bob", out _, out _));
        Assert.False(snapshot.TryGetDevice(Samples.DeviceId(7), out _));
        Assert.Equal(299, snapshot.DeviceCount);
        Assert.Contains(cold.Log.Lines, l => l.EventId.Id == SourceEvent && l.Message.EndsWith("from Redis", StringComparison.Ordinal));
        Assert.DoesNotContain(cold.Log.Lines, l => l.EventId.Id == SourceEvent && l.Message.EndsWith("from SQL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EnsureRevisionAsync_ManyWrites_RedisHoldsAtMostTwiceTheCompactedSnapshot()
    {
        var a = await ReplicaAsync(compactEvery: 100);
        // Ids as real devices have them (hashes: they do not compress away), so that the snapshot is large beside
        // Redis's granularity (a stream allocates nodes of 4 KB).
        var ids = Enumerable.Range(0, 1000).Select(i => Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(i)))).ToArray();
        await WriteAsync(a, s => CreateAsync(s));
        await WriteAsync(a, async s => (await s.PutNodesAsync(Acme, [.. ids.Select(id => Samples.Device(Acme, id))], Samples.Audit("admin.put_nodes"), Ct)).Revision);
        for (var i = 0; i < 600; i++)
        {
            var device = Samples.Device(Acme, ids[i], "", i % 2 == 0 ? "moved" : "back");
            await WriteAsync(a, async s => (await s.PutNodeAsync(device, Samples.Audit("admin.put_node"), Ct)).Revision);
        }

        await a.Compactor.IdleAsync(Acme);

        var database = _inspect.GetDatabase();
        var server = _inspect.GetServer(_inspect.GetEndPoints()[0]);
        var compacted = await a.Cache.GetCompactedVersionAsync(Acme);
        var snapshotBytes = (long)await database.ExecuteAsync("MEMORY", "USAGE", $"qbee-authz:account:{Acme}:compacted:{RedisSnapshotCache.FormatVersion(compacted!.Value)}");
        long total = 0;
        await foreach (var key in server.KeysAsync(pattern: $"qbee-authz:account:{Acme}:*"))
        {
            total += (long)await database.ExecuteAsync("MEMORY", "USAGE", key);
        }

        output.WriteLine($"after 600 writes on a 1,000-device account: its keys take {total} bytes in Redis, its compacted snapshot {snapshotBytes}");
        Assert.Equal(await StoredAsync(), a.Registry.Get(Acme)!.Version);
        Assert.True(compacted.Value.Revision > 500, $"compacted at {compacted.Value.Revision}"); // every 100 at most
        Assert.True(total <= 2 * snapshotBytes, $"the account's keys take {total} bytes, its compacted snapshot {snapshotBytes}");
    }

    [Fact]
    public async Task AppendAndAnnounceAsync_TheSameChangeSetsTwice_AppendsThemOnce()
    {
        var a = await ReplicaAsync();
        await WriteAsync(a, s => CreateAsync(s, devices: 300));
        await _store.Store.PutUserAsync(Samples.User(Acme, "bob", null, "default"), Samples.Audit("admin.put_user"), Ct);
        var page = (await _store.Store.ReadChangeSetsAsync(Acme, 2, 10, Ct))!;

        var first = await a.Cache.AppendAndAnnounceAsync(Acme, page.ChangeSets, page.ChangeSets[^1].Version);
        var second = await a.Cache.AppendAndAnnounceAsync(Acme, page.ChangeSets, page.ChangeSets[^1].Version);

        Assert.Equal((1, 0), (first.Appended, second.Appended));
        Assert.Equal(1, await _inspect.GetDatabase().StreamLengthAsync($"qbee-authz:account:{Acme}:changes"));
        Assert.Equal(ChangeSetCodec.Encode(page.ChangeSets[0]), ChangeSetCodec.Encode(Assert.Single(await a.Cache.ReadChangesAsync(Acme, 2, 3))));
    }

    private async Task<AccountVersion> StoredAsync() => (await _store.Store.GetAccountAsync(Acme, Ct))!.Version;

    /// <summary>A write through the store, then the writing replica's refresh, as AdminCommands does it.</summary>
    private static async Task<long> WriteAsync(Replica replica, Func<IAuthzStore, Task<long>> write)
    {
        var revision = await write(replica.Store);
        await replica.Refresher.EnsureRevisionAsync(Acme, revision, Ct);
        return revision;
    }

    /// <summary>
    /// The account, and its devices in one more write. A few hundred devices keep a compacted snapshot larger than a
    /// few change sets, so these stay in the stream (a small account compacts at nearly every write).
    /// </summary>
    private static async Task<long> CreateAsync(IAuthzStore store, int devices = 0)
    {
        var revision = await store.CreateAccountAsync(
            Samples.Account(Acme), Samples.DefaultRole(Acme), Samples.User(Acme, "olivia", null, "default"), Samples.Audit("admin.create_account"), Ct);
        if (devices > 0)
        {
            var nodes = Enumerable.Range(0, devices).Select(i => Samples.Device(Acme, Samples.DeviceId(i))).ToArray();
            revision = (await store.PutNodesAsync(Acme, nodes, Samples.Audit("admin.put_nodes"), Ct)).Revision;
        }

        return revision;
    }

    private async Task<Replica> ReplicaAsync(IAuthzStore? store = null, bool redis = true, int compactEvery = 1000)
    {
        var options = Options.Create(new SyncOptions
        {
            Configuration = redis ? $"{_redis.Configuration},connectTimeout=1000,connectRetry=1" : "",
            CompactEvery = compactEvery,
        });
        var connection = new RedisConnection(options, NullLogger<RedisConnection>.Instance);
        await connection.ConnectAsync();
        var time = TimeProvider.System;
        var registry = new SnapshotRegistry();
        var freshness = new SyncFreshness(time, Options.Create(new StalenessOptions()), NullLogger<SyncFreshness>.Instance);
        var metrics = new AuthzMetrics(
            _services.GetRequiredService<IMeterFactory>(), new SnapshotGauges(registry, freshness, connection),
            new AuditGauges(new AuditQueue(Options.Create(new AuditOptions()), time, NullLogger<AuditQueue>.Instance)), time);
        store ??= _store.Store;
        var cache = new RedisSnapshotCache(connection, options);
        var compactor = new SnapshotCompactor(store, cache, options, time, NullLogger<SnapshotCompactor>.Instance);
        var log = new ListLogger<SnapshotRefresher>();
        var replica = new Replica(store, registry, cache, compactor, new SnapshotRefresher(store, registry, cache, compactor, freshness, time, metrics, log), connection, log);
        _replicas.Add(replica);
        return replica;
    }

    private sealed record Replica(
        IAuthzStore Store,
        SnapshotRegistry Registry,
        RedisSnapshotCache Cache,
        SnapshotCompactor Compactor,
        SnapshotRefresher Refresher,
        RedisConnection Connection,
        ListLogger<SnapshotRefresher> Log);

    /// <summary>The store, with a change log that no longer holds any revision asked for (purged past its retention).</summary>
    public class PurgedChangeLog : DispatchProxy
    {
        private IAuthzStore _inner = null!;

        internal static IAuthzStore Over(IAuthzStore inner)
        {
            var proxy = Create<IAuthzStore, PurgedChangeLog>();
            ((PurgedChangeLog)(object)proxy)._inner = inner;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod!.Name == nameof(IAuthzStore.ReadChangeSetsAsync)
                ? Task.FromResult<ChangeLogPage?>(new ChangeLogPage([], Covered: false, AccountRevision: 0))
                : targetMethod.Invoke(_inner, args);
    }
}
