using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Snapshots;

namespace Qbee.Authz.Service.UnitTests.Snapshots;

public sealed class RevocationFeedTests
{
    private static AccountSnapshot Snapshot(long revision, long stamp, params string[] users) =>
        AuditReaderSnapshots.Snapshot(revision, stamp, users);

    [Fact]
    public void Replaced_ByAnotherHistory_TellsEveryWatcherThatEveryUserMayHaveChanged()
    {
        var feed = new RevocationFeed();
        var registry = new SnapshotRegistry([feed]);
        registry.Publish(Snapshot(15, 1, "bob", "carol"));
        using var watcher = feed.Subscribe("acme", afterRevision: 15, buffer: 16)!;

        // Same users, same grants: a diff would find nothing, yet the history is another one.
        registry.Replace(Snapshot(6, 2, "bob", "carol"));

        Assert.True(watcher.Live.TryRead(out var revocation));
        Assert.True(revocation.AllUsers);
        Assert.Equal(6L, revocation.Revision);
        Assert.Equal(["bob", "carol"], revocation.UserIds);
    }

    [Fact]
    public void Subscribe_FromBeforeAReplaceByAnotherHistory_NamesEveryUser_NotAReplayOfTheNewHistorysLog()
    {
        var feed = new RevocationFeed();
        var registry = new SnapshotRegistry([feed]);
        registry.Publish(Snapshot(15, 1, "bob", "carol"));
        registry.Replace(Snapshot(6, 2, "bob", "carol"));
        registry.Publish(Snapshot(7, 3, "bob", "carol"));

        using var watcher = feed.Subscribe("acme", afterRevision: 3, buffer: 16)!;

        Assert.Null(watcher.ReplayUpTo);
        var everyone = Assert.Single(watcher.Backlog);
        Assert.True(everyone.AllUsers);
        Assert.Equal(7L, everyone.Revision);
    }

    [Fact]
    public void Swapped_AfterAReplace_DiffsAgainstTheReplacement()
    {
        var feed = new RevocationFeed();
        var registry = new SnapshotRegistry([feed]);
        registry.Publish(Snapshot(15, 1, "bob"));
        registry.Replace(Snapshot(6, 2, "bob", "carol"));
        using var watcher = feed.Subscribe("acme", afterRevision: 6, buffer: 16)!;

        registry.Publish(Snapshot(7, 3, "bob"));

        Assert.True(watcher.Live.TryRead(out var revocation));
        Assert.Equal(7L, revocation.Revision);
        Assert.Equal(["carol"], revocation.UserIds);
    }

    private static readonly string[] Everyone = ["u1", "u2", "u3", "u4", "u5"];

    // Shrinking: each later revision removes one more user: every swap is a revocation.
    private static AccountSnapshot Shrinking(long revision) => SnapshotCompiler.Compile(
        new AccountData(
            new AccountRecord("acme", "Acme", revision),
            [new RoleRecord("acme", "r", "R", string.Empty, [new PolicyRecord("audit:read", [])])],
            Everyone.Skip((int)revision - 1).Select(u => new UserRecord("acme", u, $"{u}@example.com", string.Empty, string.Empty, ["r"], UserState.Active)).ToArray(),
            [new NodeRecord("acme", "root", NodeKind.Group, string.Empty, string.Empty, [], false)],
            []),
        DateTimeOffset.UnixEpoch);

    [Fact]
    public void Swapped_BufferFull_EndsTheSubscriptionWithWhatWasBuffered()
    {
        var feed = new RevocationFeed();
        feed.Swapped(Shrinking(1), revokedUsers: null);
        using var subscription = feed.Subscribe("acme", 1, buffer: 2)!;

        feed.Swapped(Shrinking(2), revokedUsers: null);
        feed.Swapped(Shrinking(3), revokedUsers: null);
        var overflowedAtTwo = subscription.Overflowed;
        feed.Swapped(Shrinking(4), revokedUsers: null);
        feed.Swapped(Shrinking(5), revokedUsers: null);

        Assert.False(overflowedAtTwo);
        Assert.True(subscription.Overflowed);
        Assert.Equal([2L, 3L], Drain(subscription).Select(e => e.Revision));
        Assert.True(subscription.Live.Completion.IsCompleted);
    }

    [Fact]
    public void Swapped_ReaderKeepsUp_NeverOverflows()
    {
        var feed = new RevocationFeed();
        feed.Swapped(Shrinking(1), revokedUsers: null);
        using var subscription = feed.Subscribe("acme", 1, buffer: 1)!;
        var received = new List<long>();

        for (var revision = 2; revision <= 5; revision++)
        {
            feed.Swapped(Shrinking(revision), revokedUsers: null);
            received.AddRange(Drain(subscription).Select(e => e.Revision));
        }

        Assert.False(subscription.Overflowed);
        Assert.Equal([2L, 3L, 4L, 5L], received);
    }

    [Fact]
    public void Subscribe_AfterAnOverflow_ReplaysFromTheGivenRevision()
    {
        var feed = new RevocationFeed();
        feed.Swapped(Shrinking(1), revokedUsers: null);
        using (var slow = feed.Subscribe("acme", 1, buffer: 1)!)
        {
            feed.Swapped(Shrinking(2), revokedUsers: null);
            feed.Swapped(Shrinking(3), revokedUsers: null);
            feed.Swapped(Shrinking(4), revokedUsers: null);
            Assert.True(slow.Overflowed);
        }

        using var resumed = feed.Subscribe("acme", 2, buffer: 1)!;

        Assert.Equal([3L, 4L], resumed.Backlog.Select(e => e.Revision));
        Assert.Equal([["u2"], ["u3"]], resumed.Backlog.Select(e => e.UserIds.ToArray()));
    }

    [Fact]
    public void Subscribe_FromNow_StartsAfterTheCurrentRevision()
    {
        var feed = new RevocationFeed();
        feed.Swapped(Shrinking(1), revokedUsers: null);
        feed.Swapped(Shrinking(2), revokedUsers: null);

        using var fromNow = feed.Subscribe("acme", 0, buffer: 1)!;
        using var fromOne = feed.Subscribe("acme", 1, buffer: 1)!;

        Assert.Equal(2, fromNow.After);
        Assert.Empty(fromNow.Backlog);
        Assert.Equal(1, fromOne.After);
        Assert.Equal([2L], fromOne.Backlog.Select(e => e.Revision));
    }

    [Fact]
    public void Swapped_PatchFollowingTheNewestSeen_NamesThePatchsUsersWithoutADiff()
    {
        var feed = new RevocationFeed();
        var registry = new SnapshotRegistry([feed]);
        var before = Snapshot(1, 1, "bob", "carol");
        registry.Publish(before);
        using var watcher = feed.Subscribe("acme", afterRevision: 1, buffer: 16)!;

        // The same users and grants: a diff would name nobody; the patch's own word is what counts.
        registry.Publish(HandPatches.Patch(before, before.Users, changed: [], revoked: ["carol"]));

        Assert.Equal([(2L, "carol")], Drain(watcher).Select(e => (e.Revision, string.Join(",", e.UserIds))));
    }

    [Fact]
    public void Swapped_PatchAfterARevisionNotSeen_DiffsAgainstTheNewestSeen()
    {
        var feed = new RevocationFeed();
        feed.Swapped(Shrinking(1), revokedUsers: null);
        using var watcher = feed.Subscribe("acme", afterRevision: 1, buffer: 16)!;

        // Revision 3 told before revision 2: its list covers only 2 -> 3, the diff covers 1 -> 3.
        feed.Swapped(Shrinking(3), revokedUsers: ["u2"]);
        feed.Swapped(Shrinking(2), revokedUsers: ["u1"]);

        Assert.Equal([(3L, "u1,u2")], Drain(watcher).Select(e => (e.Revision, string.Join(",", e.UserIds))));
    }

    [Fact]
    public void Subscribe_OlderThanThisReplicasHistory_LeavesTheBacklogToTheChangeLogUpToNow()
    {
        var feed = new RevocationFeed();
        feed.Swapped(Shrinking(3), revokedUsers: null); // first seen at 3: a restart
        feed.Swapped(Shrinking(4), revokedUsers: null);

        using var old = feed.Subscribe("acme", 1, buffer: 4)!;
        using var recent = feed.Subscribe("acme", 3, buffer: 4)!;

        Assert.Empty(old.Backlog);
        Assert.Equal(4, old.ReplayUpTo?.Revision);
        Assert.Equal(1, old.After);
        Assert.Null(recent.ReplayUpTo);
        Assert.Equal([4L], recent.Backlog.Select(e => e.Revision));
    }

    [Fact]
    public void Subscribe_ReplayingFromTheChangeLog_GetsEverySwapAfterTheReplaysEndLive()
    {
        var feed = new RevocationFeed();
        feed.Swapped(Shrinking(3), revokedUsers: null);
        using var subscription = feed.Subscribe("acme", 1, buffer: 4)!;

        // Registered before the replay's end was taken: a swap while the log is read is not lost.
        feed.Swapped(Shrinking(4), revokedUsers: null);

        Assert.Equal(3, subscription.ReplayUpTo?.Revision);
        Assert.Equal([4L], Drain(subscription).Select(e => e.Revision));
    }

    private static List<Revocation> Drain(RevocationFeed.Subscription subscription)
    {
        var events = new List<Revocation>();
        while (subscription.Live.TryRead(out var revocation))
        {
            events.Add(revocation);
        }

        return events;
    }
}
