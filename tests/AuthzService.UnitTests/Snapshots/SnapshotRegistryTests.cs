using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Snapshots;

namespace Qbee.Authz.Service.UnitTests.Snapshots;

public sealed class SnapshotRegistryTests
{
    private static AccountSnapshot Snapshot(long revision, params string[] users) => Snapshot(revision, 0, users);

    private static AccountSnapshot Snapshot(long revision, long stamp, params string[] users) =>
        AuditReaderSnapshots.Snapshot(revision, stamp, users);

    [Fact]
    public void TryFindUser_AfterPublish_FindsTheUserInTheNewestSnapshot()
    {
        var registry = new SnapshotRegistry();
        registry.Publish(Snapshot(1, "bob"));
        var newer = Snapshot(2, "bob", "carol");
        registry.Publish(newer);

        Assert.True(registry.TryFindUser("bob", out var snapshot, out var bob));
        Assert.Same(newer, snapshot);
        Assert.Same(newer.Users["bob"], bob);
        Assert.True(registry.TryFindUser("carol", out _, out _));
    }

    [Fact]
    public void TryFindUser_UserRemovedByANewerSnapshot_IsNotFound()
    {
        var registry = new SnapshotRegistry();
        registry.Publish(Snapshot(1, "bob", "carol"));
        registry.Publish(Snapshot(2, "bob"));

        Assert.False(registry.TryFindUser("carol", out _, out _));
    }

    [Fact]
    public void Publish_OlderRevision_IsRefusedAndChangesNothing()
    {
        var registry = new SnapshotRegistry();
        var current = Snapshot(5, "bob");
        registry.Publish(current);

        Assert.False(registry.Publish(Snapshot(4, "bob", "mallory")));
        Assert.Same(current, registry.Get("acme"));
        Assert.False(registry.TryFindUser("mallory", out _, out _));
    }

    [Fact]
    public async Task WaitForRevisionAsync_CompletesWhenTheRevisionIsPublished()
    {
        var registry = new SnapshotRegistry();
        registry.Publish(Snapshot(1, "bob"));

        var waiting = registry.WaitForRevisionAsync("acme", 2, CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        registry.Publish(Snapshot(2, "bob"));

        Assert.Equal(2, (await waiting).Revision);
    }

    [Fact]
    public void Replace_OlderRevisionOfAnotherHistory_SwapsItInAndUpdatesTheDirectory()
    {
        var observer = new RecordingObserver();
        var registry = new SnapshotRegistry([observer]);
        registry.Publish(Snapshot(15, "bob", "mallory"));
        var restored = Snapshot(6, stamp: 99, "carol");

        registry.Replace(restored);

        Assert.Same(restored, registry.Get("acme"));
        Assert.False(registry.TryFindUser("bob", out _, out _));
        Assert.False(registry.TryFindUser("mallory", out _, out _));
        Assert.True(registry.TryFindUser("carol", out var snapshot, out _));
        Assert.Same(restored, snapshot);
        Assert.Equal([restored], observer.Replaced);
    }

    [Fact]
    public async Task WaitForRevisionAsync_AfterAReplaceByALowerRevision_WaitsForTheNewHistoryToReachIt()
    {
        var registry = new SnapshotRegistry();
        registry.Publish(Snapshot(15, "bob"));

        registry.Replace(Snapshot(5, stamp: 7, "bob"));
        var next = registry.WaitForRevisionAsync("acme", 6, CancellationToken.None).AsTask();
        Assert.False(next.IsCompleted);
        registry.Publish(Snapshot(6, stamp: 8, "bob"));

        Assert.Equal(new AccountVersion(6, 8), (await next).Version);
    }

    private sealed class RecordingObserver : ISnapshotObserver
    {
        public List<AccountSnapshot> Swapped { get; } = [];

        public List<AccountSnapshot> Replaced { get; } = [];

        public List<string[]?> RevokedUsers { get; } = [];

        void ISnapshotObserver.Swapped(AccountSnapshot snapshot, string[]? revokedUsers)
        {
            Swapped.Add(snapshot);
            RevokedUsers.Add(revokedUsers);
        }

        void ISnapshotObserver.Replaced(AccountSnapshot snapshot) => Replaced.Add(snapshot);
    }
}
