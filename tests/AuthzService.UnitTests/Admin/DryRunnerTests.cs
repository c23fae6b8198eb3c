using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Qbee.Authz.Service.Admin;
using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.Service.Telemetry;
using Qbee.Authz.Service.UnitTests.Storage;
using Qbee.Authz.Service.UnitTests.Storage.Sqlite;

namespace Qbee.Authz.Service.UnitTests.Admin;

/// <summary>
/// The dry run's frame against a real SQLite store and refresher (no Redis): the snapshot it patches is at exactly
/// the rehearsed change set's previous version, whether this replica lagged or the store moved in between.
/// </summary>
public sealed class DryRunnerTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly SnapshotRegistry _registry = new();
    private TempSqliteStore _store = null!;
    private SnapshotRefresher _refresher = null!;
    private DryRunner _dryRuns = null!;

    public async Task InitializeAsync()
    {
        _store = await TempSqliteStore.CreateAsync();
        var options = Options.Create(new SyncOptions());
        var redis = new RedisConnection(options, NullLogger<RedisConnection>.Instance);
        var freshness = new SyncFreshness(_time, Options.Create(new StalenessOptions()), NullLogger<SyncFreshness>.Instance);
        var metrics = new AuthzMetrics(
            _services.GetRequiredService<IMeterFactory>(), new SnapshotGauges(_registry, freshness, redis),
            new AuditGauges(new AuditQueue(Options.Create(new AuditOptions()), _time, NullLogger<AuditQueue>.Instance)), _time);
        var cache = new RedisSnapshotCache(redis, options);
        var compactor = new SnapshotCompactor(_store.Store, cache, options, _time, NullLogger<SnapshotCompactor>.Instance);
        _refresher = new SnapshotRefresher(_store.Store, _registry, cache, compactor, freshness, _time, metrics, NullLogger<SnapshotRefresher>.Instance);
        _dryRuns = new DryRunner(_store.Store, _refresher, _registry, Options.Create(new LimitsOptions()), _time);
        await _store.CreateAccountAsync("acme", "olivia");
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task RunAsync_ReplicaHoldsNothing_RefreshesAndComparesAtTheStoresRevision()
    {
        var result = await _dryRuns.RunAsync("acme", s => s.PutUserAsync(Samples.User("acme", "bob", null, Ids.DefaultRoleId), Audit(), Ct), Ct);

        Assert.Equal(1, result.Revision);
        Assert.Equal(1, _registry.Get("acme")!.Revision);
        Assert.Equal("bob", Assert.Single(result.Impact!.Users).UserId);
        Assert.Equal(1, await _store.RevisionAsync("acme"));
    }

    [Fact]
    public async Task RunAsync_StoreMovesAfterTheFirstRehearsal_RehearsesAgainAtTheNewRevision()
    {
        var moves = 1;
        var result = await _dryRuns.RunAsync("acme", async s =>
        {
            var revision = await s.PutUserAsync(Samples.User("acme", "bob", null, Ids.DefaultRoleId), Audit(), Ct);
            await MoveAsync(moves-- > 0);
            return revision;
        }, Ct);

        Assert.Equal(2, result.Revision);
        Assert.Equal(2, await _store.RevisionAsync("acme"));
        Assert.Equal("bob", Assert.Single(result.Impact!.Users).UserId);
    }

    [Fact]
    public async Task RunAsync_StoreMovesEveryTime_IsAborted()
    {
        await Assert.ThrowsAsync<AbortedException>(() => _dryRuns.RunAsync("acme", async s =>
        {
            var revision = await s.PutUserAsync(Samples.User("acme", "bob", null, Ids.DefaultRoleId), Audit(), Ct);
            await MoveAsync(true);
            return revision;
        }, Ct));
    }

    [Fact]
    public async Task RunAsync_OnDemand_HoldsTheAccountToTheEnd_ThenEnforcesTheBudget()
    {
        var onDemand = Options.Create(new SnapshotOptions { Preload = SnapshotOptions.None, MemoryBudget = 1 });
        var loader = new AccountLoader(
            _registry, _refresher, new UserAccountIndex(_store.Store, NullLogger<UserAccountIndex>.Instance), _store.Store, onDemand,
            NullLogger<AccountLoader>.Instance);
        var dryRuns = new DryRunner(_store.Store, _refresher, _registry, Options.Create(new LimitsOptions()), _time, loader);
        var moves = 1;
        var evictedMeanwhile = new List<object?>();

        var result = await dryRuns.RunAsync("acme", async s =>
        {
            if (moves == 0)
            {
                // The second rehearsal: an eviction pass between the refresh and the read would have made it ABORTED.
                evictedMeanwhile.Add(_registry.Evict("acme"));
            }

            var revision = await s.PutUserAsync(Samples.User("acme", "bob", null, Ids.DefaultRoleId), Audit(), Ct);
            await MoveAsync(moves-- > 0);
            return revision;
        }, Ct);

        Assert.Equal(2, result.Revision);
        Assert.Null(Assert.Single(evictedMeanwhile));
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (_registry.Get("acme") is not null)
        {
            Assert.True(DateTime.UtcNow < until, "the budget was not enforced after the dry run");
            await Task.Delay(5);
        }

        Assert.Equal(0, _registry.TryGetSlot("acme")?.InFlight);
    }

    /// <summary>
    /// Another write of this replica, committed and refreshed between the rehearsal and the comparison: the snapshot
    /// is past the version the rehearsal read. (Committed but not yet seen here, it does no harm: the snapshot at
    /// that version is still the one to patch.)
    /// </summary>
    private async Task MoveAsync(bool move)
    {
        if (move)
        {
            var revision = await _store.Store.PutRoleAsync(Samples.Role("acme", $"r{Guid.NewGuid():N}"), Audit(), Ct);
            await _refresher.EnsureRevisionAsync("acme", revision, Ct);
        }
    }

    private static AuditRecord Audit() => Samples.Audit("admin.Write");
}
