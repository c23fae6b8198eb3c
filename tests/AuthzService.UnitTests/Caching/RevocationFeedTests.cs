using Qbee.Authz.Service.Caching;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.UnitTests.Caching;

public sealed class RevocationFeedTests
{
    private static AccountSnapshot Snapshot(long revision, long stamp, params string[] users) => SnapshotCompiler.Compile(
        new AccountData(
            new AccountRecord("acme", "Acme", revision, stamp),
            [new RoleRecord("acme", "r", "R", string.Empty, [new PolicyRecord("audit:read", [])])],
            users.Select(u => new UserRecord("acme", u, $"{u}@example.com", string.Empty, string.Empty, ["r"], UserState.Active)).ToArray(),
            [new NodeRecord("acme", "root", NodeKind.Group, string.Empty, string.Empty, [], false)],
            []),
        DateTimeOffset.UnixEpoch);

    [Fact]
    public void Replaced_ByAnotherHistory_TellsEveryWatcherThatEveryUserMayHaveChanged()
    {
        var feed = new RevocationFeed();
        var registry = new SnapshotRegistry([feed]);
        registry.Publish(Snapshot(15, 1, "bob", "carol"));
        using var watcher = feed.Subscribe("acme", afterRevision: 15)!;

        // Same users, same grants: a diff would find nothing, yet the history is another one.
        registry.Replace(Snapshot(6, 2, "bob", "carol"));

        Assert.True(watcher.Live.TryRead(out var revocation));
        Assert.True(revocation.AllUsers);
        Assert.Equal(6ul, revocation.Revision);
        Assert.Equal(["bob", "carol"], revocation.UserIds);
    }

    [Fact]
    public void Swapped_AfterAReplace_DiffsAgainstTheReplacement()
    {
        var feed = new RevocationFeed();
        var registry = new SnapshotRegistry([feed]);
        registry.Publish(Snapshot(15, 1, "bob"));
        registry.Replace(Snapshot(6, 2, "bob", "carol"));
        using var watcher = feed.Subscribe("acme", afterRevision: 6)!;

        registry.Publish(Snapshot(7, 3, "bob"));

        Assert.True(watcher.Live.TryRead(out var revocation));
        Assert.Equal(7ul, revocation.Revision);
        Assert.Equal(["carol"], revocation.UserIds);
    }
}
