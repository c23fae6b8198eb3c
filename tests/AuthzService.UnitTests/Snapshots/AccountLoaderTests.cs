using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.Service.Telemetry;
using Qbee.Authz.Service.UnitTests.Storage;
using Qbee.Authz.Service.UnitTests.Storage.Sqlite;
using Qbee.Authz.TestKit;

namespace Qbee.Authz.Service.UnitTests.Snapshots;

/// <summary>
/// Accounts on demand (Preload=None, a budget of one byte: every load evicts the others) against a real SQLite store
/// and refresher, without Redis: slots only for accounts the store has, evictions under the refresher's gate, writes
/// within the budget.
/// </summary>
public sealed class AccountLoaderTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly IOptions<SnapshotOptions> _options = Options.Create(new SnapshotOptions { Preload = SnapshotOptions.None, MemoryBudget = 1 });
    private SnapshotRegistry _registry = null!;
    private SyncFreshness _freshness = null!;
    private UserAccountIndex _index = null!;
    private TempSqliteStore _store = null!;
    private SnapshotRefresher _refresher = null!;
    private AccountLoader _loader = null!;

    public async Task InitializeAsync()
    {
        _store = await TempSqliteStore.CreateAsync();
        await _store.CreateAccountAsync("acme", "olivia");
        await _store.CreateAccountAsync("globex", "hank");

        _registry = new SnapshotRegistry([], _options);
        var sync = Options.Create(new SyncOptions());
        var redis = new RedisConnection(sync, NullLogger<RedisConnection>.Instance);
        _freshness = new SyncFreshness(_time, Options.Create(new StalenessOptions()), NullLogger<SyncFreshness>.Instance);
        var metrics = new AuthzMetrics(
            _services.GetRequiredService<IMeterFactory>(), new SnapshotGauges(_registry, _freshness, redis),
            new AuditGauges(new AuditQueue(Options.Create(new AuditOptions()), _time, NullLogger<AuditQueue>.Instance)), _time);
        var cache = new RedisSnapshotCache(redis, sync);
        var compactor = new SnapshotCompactor(_store.Store, cache, sync, _time, NullLogger<SnapshotCompactor>.Instance);
        _index = new UserAccountIndex(_store.Store, NullLogger<UserAccountIndex>.Instance);
        _refresher = new SnapshotRefresher(
            _store.Store, _registry, cache, compactor, _freshness, _time, metrics, NullLogger<SnapshotRefresher>.Instance, _index, _options);
        _loader = new AccountLoader(_registry, _refresher, _index, _store.Store, _options, NullLogger<AccountLoader>.Instance);
        await _refresher.LoadAllAsync(Ct);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task HoldAsync_AccountTheStoreDoesNotHave_IsNullAndMakesNoSlot()
    {
        var hold = await _loader.HoldAsync("nosuch", Ct);

        Assert.Null(hold);
        Assert.Null(_registry.TryGetSlot("nosuch"));
        Assert.Equal(0, _loader.Loads);
    }

    [Fact]
    public async Task GetAsync_AccountTheStoreDoesNotHave_IsNullAndMakesNoSlot()
    {
        var snapshot = await _loader.GetAsync("nosuch", Ct);

        Assert.Null(snapshot);
        Assert.Null(_registry.TryGetSlot("nosuch"));
    }

    [Fact]
    public async Task HoldAsync_AccountCreatedAfterTheIndexWasRead_AsksTheStoreAndLoadsIt()
    {
        await _store.CreateAccountAsync("initech", "peter");

        using var hold = await _loader.HoldAsync("initech", Ct);

        Assert.NotNull(hold);
        Assert.Equal(1, hold.Current?.Revision);
        await Eventually.HoldsAsync(() => _registry.TryGetSlot("initech")?.InFlight == 1); // the hold's, once the load let go
    }

    [Fact]
    public async Task EnforceBudget_EvictsUnderTheGate_ForgettingFreshnessAndKeepingItsUsersInTheIndex()
    {
        await _loader.GetAsync("acme", Ct);
        Assert.NotNull(_freshness.Age("acme"));

        // Loading globex passes the budget: acme, the least recently used, goes.
        await _loader.GetAsync("globex", Ct);
        await Eventually.HoldsAsync(() => _registry.Get("acme") is null);

        Assert.Null(_freshness.Age("acme"));
        Assert.True(_index.TryFind("olivia", out var account));
        Assert.Equal("acme", account);
        Assert.NotNull(_freshness.Age("globex"));
        Assert.Equal(1, _loader.Evictions);
    }

    [Fact]
    public async Task FollowWriteAsync_ColdAccountPastTheBudget_LoadsItAndEvictsTheLeastRecentlyUsed()
    {
        await _loader.GetAsync("acme", Ct);
        var revision = await _store.Store.PutUserAsync(Samples.User("globex", "bob", null, Ids.DefaultRoleId), Samples.Audit("admin.put_user"), Ct);

        await _loader.FollowWriteAsync("globex", revision, Ct);

        Assert.Equal(revision, _registry.Get("globex")?.Revision);
        Assert.Null(_registry.Get("acme"));
        Assert.Equal(1, _loader.Evictions);
    }
}
