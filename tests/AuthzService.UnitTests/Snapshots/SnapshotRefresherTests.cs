using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.Service.Telemetry;
using Qbee.Authz.Service.UnitTests.Storage;
using Qbee.Authz.Service.UnitTests.Storage.Sqlite;

namespace Qbee.Authz.Service.UnitTests.Snapshots;

/// <summary>The refresher against a real SQLite store, without Redis (its Redis paths: the functional tests).</summary>
public sealed class SnapshotRefresherTests : IAsyncLifetime
{
    private const int ReplacedEvent = 81;
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly SnapshotRegistry _registry = new();
    private readonly ListLogger<SnapshotRefresher> _log = new();
    private SyncFreshness _freshness = null!;
    private TempSqliteStore _store = null!;
    private SnapshotRefresher _refresher = null!;

    public async Task InitializeAsync()
    {
        _store = await TempSqliteStore.CreateAsync();
        var redis = new RedisConnection(Options.Create(new SyncOptions()), NullLogger<RedisConnection>.Instance);
        _freshness = new SyncFreshness(_time, Options.Create(new StalenessOptions()), NullLogger<SyncFreshness>.Instance);
        var metrics = new AuthzMetrics(
            _services.GetRequiredService<IMeterFactory>(), new SnapshotGauges(_registry, _freshness, redis),
            new AuditGauges(new AuditQueue(Options.Create(new AuditOptions()), _time, NullLogger<AuditQueue>.Instance)), _time);
        _refresher = Refresher(_store.Store, metrics);
    }

    /// <summary>A refresher without Redis (none configured) on <paramref name="store"/>.</summary>
    private SnapshotRefresher Refresher(IAuthzStore store, AuthzMetrics metrics)
    {
        var options = Options.Create(new SyncOptions());
        var cache = new RedisSnapshotCache(new RedisConnection(options, NullLogger<RedisConnection>.Instance), options);
        var compactor = new SnapshotCompactor(store, cache, options, _time, NullLogger<SnapshotCompactor>.Instance);
        return new SnapshotRefresher(store, _registry, cache, compactor, _freshness, _time, metrics, _log);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task PollAsync_HeldSnapshotTheStoreDoesNotHave_IsReplacedByTheStoresOlderRevision()
    {
        var data = await _store.CreateAccountAsync("acme", "olivia");
        // What a replica may hold from another history: revision 15, with a user the store does not have.
        var bob = data.Users[0] with { UserId = "bob", Email = "bob@acme.example" };
        _registry.Publish(SnapshotCompiler.Compile(
            data with { Account = data.Account with { Revision = 15, Stamp = 1 }, Users = [.. data.Users, bob] }, _time.GetUtcNow()));

        await _refresher.PollAsync(Ct);

        var stored = (await _store.Store.GetAccountAsync("acme", Ct))!;
        Assert.Equal(1, stored.Revision);
        Assert.Equal(stored.Version, _registry.Get("acme")!.Version);
        Assert.False(_registry.TryFindUser("bob", out _, out _));
        Assert.True(_registry.Get("acme")!.Users.ContainsKey("olivia"));
        Assert.Equal(1, _log.Count(ReplacedEvent));
    }

    [Fact]
    public async Task PollAsync_HeldAtTheStoresVersion_ConfirmsItWithoutARebuild()
    {
        await _store.CreateAccountAsync("acme", "olivia");
        await _refresher.LoadAllAsync(Ct);
        var held = _registry.Get("acme");
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromSeconds(30), _freshness.Age("acme"));

        await _refresher.PollAsync(Ct);

        Assert.Same(held, _registry.Get("acme"));
        Assert.Equal(TimeSpan.Zero, _freshness.Age("acme"));
    }

    [Fact]
    public async Task EnsureRevisionAsync_AfterAWrite_AnswersAtTheWritesVersion()
    {
        await _store.CreateAccountAsync("acme", "olivia");
        await _refresher.LoadAllAsync(Ct);

        var revision = await _store.Store.DeleteUserAsync("acme", "olivia", Storage.Samples.Audit("admin.DeleteUser"), Ct);
        await _refresher.EnsureRevisionAsync("acme", revision, Ct);

        var stored = (await _store.Store.GetAccountAsync("acme", Ct))!;
        Assert.Equal(stored.Version, _registry.Get("acme")!.Version);
        Assert.False(_registry.TryFindUser("olivia", out _, out _));
    }

    [Fact]
    public async Task PollAsync_StoreUnreadable_ThrowsKeepsTheSnapshotAndConfirmsNothing()
    {
        await _store.CreateAccountAsync("acme", "olivia");
        await _refresher.LoadAllAsync(Ct);
        var held = _registry.Get("acme");
        _time.Advance(TimeSpan.FromSeconds(30));
        var broken = Refresher(FailingStore.Create(), null!);

        await Assert.ThrowsAnyAsync<Exception>(() => broken.PollAsync(Ct));

        Assert.Same(held, _registry.Get("acme"));
        Assert.Equal(TimeSpan.FromSeconds(30), _freshness.Age("acme"));
    }
}
