using Qbee.Authz.Service.Domain.Changes;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Resources;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.TestKit.Accounts;
using static Qbee.Authz.Service.UnitTests.Domain.DomainFixtures;
using static Qbee.Authz.TestKit.Accounts.AccountRecords;

namespace Qbee.Authz.Service.UnitTests.Domain;

/// <summary>The single cases of <see cref="SnapshotPatcher"/>; the property test covers the sequences.</summary>
public sealed class SnapshotPatcherTests
{
    private const string A = "acme";

    private static string DeviceId(int i) => i.ToString("x64");

    /// <summary>root > fleet > site{0..2} with <paramref name="devices"/> devices spread over the sites.</summary>
    private static AccountData Fleet(int devices)
    {
        var account = new AccountBuilder(A).Group("root", "").Group("unassigned_group", "root").Group("fleet", "root");
        for (var s = 0; s < 3; s++)
        {
            account.Group($"site{s}", "fleet");
        }

        for (var i = 0; i < devices; i++)
        {
            account.Device(DeviceId(i), $"site{i % 3}", false, i % 2 == 0 ? ["even"] : []);
        }

        account.Role("site0-reader", Policy("device:read", "node:site0"));
        account.Role("even-connect", Policy("remote-access:connect", "tag:even"));
        account.Role("later", Policy("device:read", "node:site9"));
        account.User("ann", false, "site0-reader");
        account.User("bob", false, "even-connect");
        account.User("cid", false, "later", "missing-role");
        account.NodeSetting("fleet", true);
        return account.Build(revision: 5);
    }

    private static ChangeSet After(AccountData rows, params Change[] changes) =>
        new(A, new AccountVersion(rows.Account.Revision + 1, rows.Account.Revision + 100), rows.Account.Stamp, DateTimeOffset.UnixEpoch, changes);

    private static (PatchedSnapshot Patched, AccountSnapshot Compiled) Patch(AccountSnapshot before, AccountData rows, params Change[] changes)
    {
        var set = After(rows, changes);
        var patched = SnapshotPatcher.Apply(before, set, BuiltAt);
        var compiled = Compile(ChangeSetApplier.Apply(rows, set));
        var ids = rows.Nodes.Select(n => n.NodeId).Concat(changes.OfType<NodePut>().Select(p => p.Node.NodeId));
        Assert.Equal(SnapshotProjection.Of(compiled, ids), SnapshotProjection.Of(patched.Snapshot, ids));
        return (patched, compiled);
    }

    private static NodeRecord DeviceRecord(AccountData rows, int i) => rows.Nodes.Single(n => n.NodeId == DeviceId(i));

    [Fact]
    public void Apply_SnapshotNotAtThePreviousVersion_Throws()
    {
        var rows = Fleet(3);
        var set = After(rows, new AccountPut(A, "Renamed")) with { PreviousStamp = 12345 };

        Assert.Throws<InvalidOperationException>(() => SnapshotPatcher.Apply(Compile(rows), set, BuiltAt));
    }

    [Fact]
    public void Apply_DeviceRetag_LeavesTheSnapshotBeforeUnchangedAndSharesWhatItDidNotTouch()
    {
        var rows = Fleet(3000);
        var before = Compile(rows);
        var projection = SnapshotProjection.Of(before, rows.Nodes.Select(n => n.NodeId));

        var (patched, _) = Patch(before, rows, new NodePut(DeviceRecord(rows, 2000) with { Tags = ["odd"] }));

        var after = patched.Snapshot;
        Assert.Equal(projection, SnapshotProjection.Of(before, rows.Nodes.Select(n => n.NodeId)));
        var touched = after.TryGetDevice(DeviceId(2000), out var node) ? node >> NodeChunk.Bits : -1;
        for (var c = 0; c < before.Chunks.Length; c++)
        {
            Assert.Equal(c != touched, ReferenceEquals(before.Chunks[c].Facts, after.Chunks[c].Facts));
            Assert.Equal(c != touched, ReferenceEquals(before.Chunks[c].Ancestors, after.Chunks[c].Ancestors));
        }

        Assert.Same(before.DeviceIndex, after.DeviceIndex);
        Assert.Same(before.DevicesInOrder, after.DevicesInOrder);
        Assert.Same(before.Users, after.Users);
        Assert.Empty(patched.ChangedUserIds);
        Assert.Equal(["ann", "bob", "cid"], patched.UsersWhoseRightsMayHaveShrunk); // a device lost a tag: every scoped grant is suspect
    }

    [Fact]
    public void Apply_GroupMove_RechainsEveryNodeBelowIt()
    {
        var rows = Fleet(30);
        var (patched, _) = Patch(Compile(rows), rows, new NodePut(Group(A, "site1", "site0")));

        Assert.True(Check(patched.Snapshot, "ann", "device:read", DeviceId(1), RemoteAccessQuery.None).Allowed);
        Assert.Equal(["ann", "bob", "cid"], patched.UsersWhoseRightsMayHaveShrunk); // devices moved: every scoped grant is suspect
    }

    [Fact]
    public void Apply_NodeAGrantNamesAddedThenDeleted_TheGrantFollowsIt()
    {
        var rows = Fleet(3);
        var added = Patch(Compile(rows), rows, new NodePut(Group(A, "site9", "root")), new NodePut(Device(A, DeviceId(99), "site9", false)));
        Assert.True(Check(added.Patched.Snapshot, "cid", "device:read", DeviceId(99), RemoteAccessQuery.None).Allowed);
        Assert.Contains("cid", added.Patched.ChangedUserIds);

        var rowsAdded = ChangeSetApplier.Apply(rows, After(rows, new NodePut(Group(A, "site9", "root")), new NodePut(Device(A, DeviceId(99), "site9", false))));
        var deleted = Patch(added.Patched.Snapshot, rowsAdded, new NodePut(Device(A, DeviceId(99), "site0", false)), new NodeDeleted("site9"));

        Assert.False(Check(deleted.Patched.Snapshot, "cid", "device:read", DeviceId(99), RemoteAccessQuery.None).Allowed);
        Assert.Contains("cid", deleted.Patched.UsersWhoseRightsMayHaveShrunk);
    }

    [Fact]
    public void Apply_RoleEdit_RecompilesItsHoldersOnly()
    {
        var rows = Fleet(3);
        var before = Compile(rows);

        var (patched, _) = Patch(before, rows, new RolePut(Role(A, "site0-reader", Policy("device:read", "node:site1"))));

        Assert.Equal(["ann"], patched.ChangedUserIds);
        Assert.Equal(["ann"], patched.UsersWhoseRightsMayHaveShrunk);
        Assert.Same(before.Users["bob"], patched.Snapshot.Users["bob"]);
    }

    [Fact]
    public void Apply_RoleAUserNamedBeforeItExisted_GivesTheUserItsGrants()
    {
        var rows = Fleet(3);

        var (patched, _) = Patch(Compile(rows), rows, new RolePut(Role(A, "missing-role", Policy("device:manage"))));

        Assert.Equal(["cid"], patched.ChangedUserIds);
        Assert.Equal(["later", "missing-role"], patched.Snapshot.Users["cid"].RoleIds);
        Assert.Empty(patched.UsersWhoseRightsMayHaveShrunk);
    }

    [Fact]
    public void Apply_UserDisabledAndDeleted_NamesBothAsShrunk()
    {
        var rows = Fleet(3);

        var (patched, _) = Patch(Compile(rows), rows, new UserPut(User(A, "ann", true, "site0-reader")), new UserDeleted("bob"));

        Assert.Equal(["ann", "bob"], patched.ChangedUserIds.Order(StringComparer.Ordinal));
        Assert.Equal(["ann", "bob"], patched.UsersWhoseRightsMayHaveShrunk);
        Assert.False(patched.Snapshot.Users.ContainsKey("bob"));
    }

    [Fact]
    public void Apply_RemoteAccessAtEveryLevel_FollowsTheCompilersRule()
    {
        var rows = Fleet(6);
        var before = Compile(rows);
        var device = DeviceRecord(rows, 0);

        // The group setting reaches the device; a tag setting beats it; the device's own beats both; the agent flag all.
        var steps = new Change[][]
        {
            [new RemoteAccessChanged(RemoteAccessTarget.Node, "site0", false, 6)],
            [new RemoteAccessChanged(RemoteAccessTarget.Tag, "even", true, 7)],
            [new RemoteAccessChanged(RemoteAccessTarget.Tag, "other", false, 8), new NodePut(device with { Tags = ["other", "even"] })],
            [new RemoteAccessChanged(RemoteAccessTarget.Node, DeviceId(0), true, 9)],
            [new NodePut(device with { AgentRemoteAccessDisabled = true })],
            [new RemoteAccessChanged(RemoteAccessTarget.Node, "fleet", null, 11), new RemoteAccessChanged(RemoteAccessTarget.Tag, "even", null, 11)],
        };
        var expected = new[] { false, true, false, true, false, false };
        for (var i = 0; i < steps.Length; i++)
        {
            var (patched, compiled) = Patch(before, rows, steps[i]);
            Assert.True(patched.Snapshot.TryGetDevice(DeviceId(0), out var node));
            Assert.Equal(expected[i], patched.Snapshot.RemoteAccessEnabled(node));
            before = patched.Snapshot;
            rows = ChangeSetApplier.Apply(rows, After(rows, steps[i]));
            Assert.Equal(compiled.Version, before.Version);
        }
    }

    [Fact]
    public void Apply_DevicesAddedAndDeleted_KeepsTheOrderById()
    {
        var rows = Fleet(2000);
        var before = Compile(rows);

        var (patched, _) = Patch(before, rows, new NodeDeleted(DeviceId(5)), new NodePut(Device(A, DeviceId(5000), "site1", false)),
            new NodePut(Device(A, DeviceId(2500), "site2", false, "even")), new NodeDeleted(DeviceId(1999)));

        var ids = patched.Snapshot.DevicesInOrder.Select(d => patched.Snapshot.NodeIds[d]).ToArray();
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(2000, ids.Length);
        Assert.False(patched.Snapshot.TryGetDevice(DeviceId(5), out _));
        Assert.True(patched.Snapshot.TryGetDevice(DeviceId(5000), out _));
        Assert.Contains("bob", patched.UsersWhoseRightsMayHaveShrunk); // a device deleted: its sessions end
    }

    [Fact]
    public void Apply_IdDeletedThenAddedAgain_IsANewNodeWithTheSameAnswers()
    {
        var rows = Fleet(3);
        var first = Patch(Compile(rows), rows, new NodeDeleted(DeviceId(0)));
        var rowsDeleted = ChangeSetApplier.Apply(rows, After(rows, new NodeDeleted(DeviceId(0))));

        var (patched, _) = Patch(first.Patched.Snapshot, rowsDeleted, new NodePut(Device(A, DeviceId(0), "site0", false, "even")));

        Assert.True(Check(patched.Snapshot, "ann", "device:read", DeviceId(0), RemoteAccessQuery.None).Allowed);
    }

    [Fact]
    public void Apply_SnapshotWithAChainCutOff_RecompilesItWhole()
    {
        var rows = new AccountBuilder(A).Group("root", "").Group("orphans", "gone").Device(DeviceId(1), "orphans", false)
            .Role("all", Policy("device:read", "node:root")).User("ann", false, "all").Build(revision: 2);
        var before = Compile(rows);
        var set = After(rows, new NodePut(Group(A, "gone", "root")));

        Assert.Null(SnapshotPatch.TryApply(before, set, BuiltAt, null));
        var (patched, _) = Patch(before, rows, new NodePut(Group(A, "gone", "root")));
        Assert.True(Check(patched.Snapshot, "ann", "device:read", DeviceId(1), RemoteAccessQuery.None).Allowed);
    }

    [Fact]
    public void Apply_WriteTheStoreRefuses_AnswersAsTheCompilerWould()
    {
        var rows = Fleet(3);
        var refused = new Change[] { new NodePut(Group(A, "site0", "site0-child")), new NodePut(Group(A, "site0-child", "site0")) };

        Assert.Null(SnapshotPatch.TryApply(Compile(rows), After(rows, refused), BuiltAt, null));
        var (patched, _) = Patch(Compile(rows), rows, refused);
        Assert.False(Check(patched.Snapshot, "ann", "device:read", DeviceId(0), RemoteAccessQuery.None).Allowed); // cut off: fail closed
    }
}
