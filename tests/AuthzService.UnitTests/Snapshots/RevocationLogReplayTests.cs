using System.Reflection;
using Qbee.Authz.Service.Domain.Changes;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.UnitTests.Snapshots;

public sealed class RevocationLogReplayTests
{
    private static ChangeSet Changes(long revision, params Change[] changes) =>
        new("acme", new AccountVersion(revision, revision * 10), (revision - 1) * 10, DateTimeOffset.UnixEpoch, changes);

    private static UserRecord User(string id) =>
        new("acme", id, $"{id}@example.com", string.Empty, string.Empty, ["r"], UserState.Active);

    [Fact]
    public async Task ReadAsync_LogCoversTheRevision_OneEventPerRevisionThatMayHaveShrunkSomeone_InOrderAcrossPages()
    {
        // More change sets than one page holds, most of them renames that take nothing away.
        var log = Enumerable.Range(2, RevocationLogReplay.PageSize + 100).Select(r => Changes(r, new AccountPut("acme", $"Acme {r}"))).ToList();
        var last = log[^1].Revision;
        log[0] = Changes(2, new UserPut(User("bob")));
        log[^1] = Changes(last, new UserDeleted("dave"));
        var store = ChangeLogStore.Create(log, firstKept: 2);
        var now = AuditReaderSnapshots.Snapshot(last, last * 10, "bob", "carol");

        var replay = await new RevocationLogReplay(store).ReadAsync(1, now, CancellationToken.None);

        Assert.True(replay.Covered);
        Assert.Equal([(2L, "bob", false), (last, "dave", false)], replay.Events.Select(e => (e.Revision, string.Join(",", e.UserIds), e.AllUsers)));
    }

    [Fact]
    public async Task ReadAsync_StopsAtTheSnapshotTheLiveEventsFollow()
    {
        var store = ChangeLogStore.Create([Changes(2, new UserPut(User("bob"))), Changes(3, new UserPut(User("carol")))], firstKept: 1);

        var replay = await new RevocationLogReplay(store).ReadAsync(1, AuditReaderSnapshots.Snapshot(2, 20, "bob", "carol"), CancellationToken.None);

        Assert.Equal([2L], replay.Events.Select(e => e.Revision));
    }

    [Fact]
    public async Task ReadAsync_LogPurgedPastTheRevision_NamesEveryUserOnce()
    {
        var store = ChangeLogStore.Create([Changes(5, new UserPut(User("bob")))], firstKept: 5);
        var now = AuditReaderSnapshots.Snapshot(5, 50, "bob", "carol");

        var replay = await new RevocationLogReplay(store).ReadAsync(2, now, CancellationToken.None);

        Assert.False(replay.Covered);
        var everyone = Assert.Single(replay.Events);
        Assert.True(everyone.AllUsers);
        Assert.Equal(5L, everyone.Revision);
        Assert.Equal(["bob", "carol"], everyone.UserIds);
    }

    [Fact]
    public async Task ReadAsync_LogOfAnotherHistoryThanTheSnapshot_NamesEveryUser()
    {
        var store = ChangeLogStore.Create([Changes(2, new UserPut(User("bob")))], firstKept: 1);

        // Revision 2 with another stamp: the store was restored from another copy.
        var replay = await new RevocationLogReplay(store).ReadAsync(1, AuditReaderSnapshots.Snapshot(2, 77, "bob"), CancellationToken.None);

        Assert.False(replay.Covered);
        Assert.True(Assert.Single(replay.Events).AllUsers);
    }

    /// <summary>A store whose change log holds the given change sets from <c>firstKept</c> on (older ones purged).</summary>
    public class ChangeLogStore : DispatchProxy
    {
        private IReadOnlyList<ChangeSet> _log = [];
        private long _firstKept;

        internal static IAuthzStore Create(IReadOnlyList<ChangeSet> log, long firstKept)
        {
            var store = Create<IAuthzStore, ChangeLogStore>();
            var proxy = (ChangeLogStore)(object)store;
            proxy._log = log;
            proxy._firstKept = firstKept;
            return store;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod?.Name != nameof(IAuthzStore.ReadChangeSetsAsync))
            {
                throw new InvalidOperationException($"unexpected call {targetMethod?.Name}");
            }

            var after = (long)args![1]!;
            var max = (int)args[2]!;
            var page = new ChangeLogPage(
                [.. _log.Where(c => c.Revision > after).Take(max)], Covered: after + 1 >= _firstKept, _log[^1].Revision);
            return Task.FromResult<ChangeLogPage?>(page);
        }
    }
}
