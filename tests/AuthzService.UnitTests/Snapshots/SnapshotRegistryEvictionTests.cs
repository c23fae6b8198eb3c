using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Snapshots;

namespace Qbee.Authz.Service.UnitTests.Snapshots;

public sealed class SnapshotRegistryEvictionTests
{
    private static AccountSnapshot Snapshot(long revision, params string[] users) => AuditReaderSnapshots.Snapshot(revision, 0, users);

    [Fact]
    public void Evict_DropsTheSnapshotAndItsUsers_AndAReloadServesAgainOnTheFastPath()
    {
        var registry = new SnapshotRegistry();
        var held = Snapshot(3, "bob", "carol");
        registry.Publish(held);

        var evicted = registry.Evict("acme");

        Assert.Same(held, evicted);
        Assert.Null(registry.Get("acme"));
        Assert.False(registry.TryFindUser("bob", out _, out _));
        Assert.False(registry.TryFindUser("carol", out _, out _));
        Assert.Empty(registry.Snapshots);

        var reloaded = Snapshot(4, "bob");
        Assert.True(registry.Publish(reloaded));
        Assert.True(registry.TryFindUser("bob", out var snapshot, out _));
        Assert.Same(reloaded, snapshot);
        Assert.True(registry.TakesTheFastPath("bob"));
        Assert.False(registry.TryFindUser("carol", out _, out _));
    }

    [Fact]
    public void Evict_AccountHeldByACall_IsRefused()
    {
        var registry = new SnapshotRegistry();
        registry.Publish(Snapshot(3, "bob"));
        var slot = registry.SlotOf("acme");
        slot.Enter();

        var refused = registry.Evict("acme");
        slot.Exit();
        var evicted = registry.Evict("acme");

        Assert.Null(refused);
        Assert.NotNull(evicted);
    }

    [Fact]
    public void Evict_TellsTheObservers_AndTheFeedForgetsTheAccount()
    {
        var feed = new RevocationFeed();
        var registry = new SnapshotRegistry([feed]);
        registry.Publish(Snapshot(3, "bob"));
        var watched = feed.Subscribe("acme", 0, 16);
        Assert.NotNull(watched);
        watched.Dispose();

        registry.Evict("acme");

        Assert.Null(feed.Subscribe("acme", 0, 16));
    }

    [Fact]
    public void TryFindUser_PreloadAll_StampsNothing()
    {
        var registry = new SnapshotRegistry([], Options.Create(new SnapshotOptions()));
        registry.Publish(Snapshot(3, "bob"));
        var slot = registry.SlotOf("acme");
        var before = slot.LastUsed;
        var now = Environment.TickCount64;
        SpinWait.SpinUntil(() => Environment.TickCount64 > now, TimeSpan.FromSeconds(1));

        Assert.True(registry.TryFindUser("bob", out _, out _));

        Assert.Equal(before, slot.LastUsed);
    }

    [Fact]
    public void TryFindUser_OnDemand_StampsTheAccountUsed()
    {
        var registry = new SnapshotRegistry([], Options.Create(new SnapshotOptions { Preload = SnapshotOptions.None }));
        registry.Publish(Snapshot(3, "bob"));
        var slot = registry.SlotOf("acme");
        var before = slot.LastUsed;
        var now = Environment.TickCount64;
        SpinWait.SpinUntil(() => Environment.TickCount64 > now, TimeSpan.FromSeconds(1));

        Assert.True(registry.TryFindUser("bob", out _, out _));

        Assert.True(slot.LastUsed > before);
    }
}
