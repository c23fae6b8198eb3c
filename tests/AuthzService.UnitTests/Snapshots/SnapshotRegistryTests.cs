using Qbee.Authz.Service.Domain.Changes;
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

    private static readonly string[] Hundred = [.. Enumerable.Range(0, 100).Select(i => $"u{i:D3}")];

    [Fact]
    public void PublishPatch_TouchingNoUser_WritesNoDirectoryEntry_AndKeepsTheFastPath()
    {
        var registry = new SnapshotRegistry();
        var before = Snapshot(1, Hundred);
        registry.Publish(before);
        var writes = registry.DirectoryWrites;

        // A fleet write: the patch shares the users of the snapshot before.
        var patched = HandPatches.Patch(before, before.Users, changed: [], revoked: []);
        Assert.True(registry.Publish(patched));

        Assert.Equal(writes, registry.DirectoryWrites);
        Assert.All(Hundred, userId => Assert.True(registry.TakesTheFastPath(userId), userId));
        Assert.True(registry.TryFindUser("u042", out var snapshot, out var user));
        Assert.Same(patched.Snapshot, snapshot);
        Assert.Same(before.Users["u042"], user);
    }

    [Fact]
    public void PublishPatch_ChangingOneUserAndAddingOne_WritesOnlyThose_AndEveryUserKeepsTheFastPath()
    {
        var registry = new SnapshotRegistry();
        var before = Snapshot(1, Hundred);
        registry.Publish(before);
        var writes = registry.DirectoryWrites;
        var disabled = HandPatches.Entry("u007", disabled: true);
        var added = HandPatches.Entry("zoe");

        var patched = HandPatches.Patch(before, HandPatches.Users(before, [disabled, added]), changed: ["u007", "zoe"], revoked: ["u007"]);
        registry.Publish(patched);

        Assert.Equal(writes + 2, registry.DirectoryWrites);
        Assert.All([.. Hundred, "zoe"], userId => Assert.True(registry.TakesTheFastPath(userId), userId));
        Assert.True(registry.TryFindUser("u007", out var snapshot, out var user));
        Assert.Same(patched.Snapshot, snapshot);
        Assert.Same(disabled, user);
        Assert.True(registry.TryFindUser("zoe", out _, out var zoe));
        Assert.Same(added, zoe);
        Assert.True(registry.TryFindUser("u008", out snapshot, out user));
        Assert.Same(patched.Snapshot, snapshot);
        Assert.Same(patched.Snapshot.Users["u008"], user);
    }

    [Fact]
    public void PublishPatch_DeletingAUser_TheUserIsNotFound()
    {
        var registry = new SnapshotRegistry();
        var before = Snapshot(1, "bob", "carol");
        registry.Publish(before);

        registry.Publish(HandPatches.Patch(before, HandPatches.Users(before, [], "carol"), changed: ["carol"], revoked: ["carol"]));

        Assert.False(registry.TryFindUser("carol", out _, out _));
        Assert.True(registry.TryFindUser("bob", out _, out _));
        Assert.True(registry.TakesTheFastPath("bob"));
    }

    [Fact]
    public void PublishPatch_WhoseEntriesAreNotShared_RewritesThoseUsers_NeverPairingAnOldEntryWithTheNewSnapshot()
    {
        var registry = new SnapshotRegistry();
        var before = Snapshot(1, Hundred);
        registry.Publish(before);
        var writes = registry.DirectoryWrites;

        // Recompiled whole yet naming no changed user (rights unchanged): the directory goes by the entries, not the list.
        var recompiled = Snapshot(2, Hundred);
        registry.Publish(HandPatches.Patch(before, recompiled.Users, changed: [], revoked: []));

        Assert.Equal(writes + Hundred.Length, registry.DirectoryWrites);
        Assert.True(registry.TryFindUser("u042", out var snapshot, out var user));
        Assert.Same(recompiled.Users["u042"], user);
        Assert.Same(snapshot.Users["u042"], user);
        Assert.True(registry.TakesTheFastPath("u042"));
    }

    [Fact]
    public void PublishPatch_UserDeletedHereLivesInAnotherAccount_IsRepointedThere()
    {
        var registry = new SnapshotRegistry();
        var beta = SnapshotCompiler.Compile(
            new AccountData(
                new AccountRecord("beta", "Beta", 3, 1),
                [],
                [new UserRecord("beta", "bob", "bob@example.com", string.Empty, string.Empty, [], UserState.Active)],
                [new NodeRecord("beta", "root", NodeKind.Group, string.Empty, string.Empty, [], false)],
                []),
            DateTimeOffset.UnixEpoch);
        registry.Publish(beta);
        var before = Snapshot(1, "bob", "carol"); // acme's snapshot from before bob moved, arriving late
        registry.Publish(before);

        registry.Publish(HandPatches.Patch(before, HandPatches.Users(before, [], "bob"), changed: ["bob"], revoked: ["bob"]));

        Assert.True(registry.TryFindUser("bob", out var snapshot, out var bob));
        Assert.Same(beta, snapshot);
        Assert.Same(beta.Users["bob"], bob);
    }

    [Fact]
    public void PublishPatch_FollowingTheCurrentSnapshot_TellsObserversThePatchsRevocations_ElseNull()
    {
        var observer = new RecordingObserver();
        var registry = new SnapshotRegistry([observer]);
        var first = Snapshot(1, "bob", "carol");
        registry.Publish(first);
        var second = HandPatches.Patch(first, first.Users, changed: [], revoked: ["bob"]);
        registry.Publish(second);

        // Revision 4 patched from a revision 3 this registry never saw: the observers must diff.
        var skipping = HandPatches.Patch(second.Snapshot, first.Users, changed: [], revoked: ["carol"], revision: 4);
        registry.Publish(skipping);

        Assert.Equal([first, second.Snapshot, skipping.Snapshot], observer.Swapped);
        Assert.Equal([null, ["bob"], null], observer.RevokedUsers);
        Assert.True(registry.TryFindUser("carol", out var snapshot, out _));
        Assert.Same(skipping.Snapshot, snapshot);
    }

    [Fact]
    public void PublishPatch_FromThePatcher_AFleetWriteWritesNoUser_AUserWriteWritesThatUser()
    {
        var registry = new SnapshotRegistry();
        var before = Snapshot(1, stamp: 10, Hundred);
        registry.Publish(before);
        var writes = registry.DirectoryWrites;
        var device = new NodeRecord("acme", 1.ToString("x64"), NodeKind.Device, "root", string.Empty, ["web"], false);
        var bob = new UserRecord("acme", "u007", "u007@example.com", string.Empty, string.Empty, ["r"], UserState.Disabled);

        var fleetWrite = SnapshotPatcher.Apply(before, new ChangeSet("acme", new AccountVersion(2, 20), 10, DateTimeOffset.UnixEpoch, [new NodePut(device)]), DateTimeOffset.UnixEpoch);
        registry.Publish(fleetWrite);
        var afterFleetWrite = registry.DirectoryWrites;
        var userWrite = SnapshotPatcher.Apply(fleetWrite.Snapshot, new ChangeSet("acme", new AccountVersion(3, 30), 20, DateTimeOffset.UnixEpoch, [new UserPut(bob)]), DateTimeOffset.UnixEpoch);
        registry.Publish(userWrite);

        Assert.Equal(writes, afterFleetWrite);
        Assert.Equal(writes + 1, registry.DirectoryWrites);
        Assert.All(Hundred, userId => Assert.True(registry.TakesTheFastPath(userId), userId));
        Assert.True(registry.TryFindUser("u007", out var snapshot, out var user));
        Assert.Same(userWrite.Snapshot, snapshot);
        Assert.True(user.Disabled);
    }

    [Fact]
    public void PublishPatch_OlderThanTheCurrent_IsRefusedAndChangesNothing()
    {
        var registry = new SnapshotRegistry();
        var before = Snapshot(1, "bob");
        registry.Publish(before);
        var current = Snapshot(5, "bob");
        registry.Publish(current);

        Assert.False(registry.Publish(HandPatches.Patch(before, HandPatches.Users(before, [HandPatches.Entry("mallory")]), changed: ["mallory"], revoked: [])));

        Assert.Same(current, registry.Get("acme"));
        Assert.False(registry.TryFindUser("mallory", out _, out _));
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
