using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Evaluation;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Resources;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.TestKit.Accounts;
using static Qbee.Authz.Service.UnitTests.Domain.DomainFixtures;
using static Qbee.Authz.TestKit.Accounts.AccountRecords;

namespace Qbee.Authz.Service.UnitTests.Domain;

/// <summary>ListDeviceUsers against Check: on random accounts (nested groups, tags, settings, agent flags) the two never disagree.</summary>
public sealed class DeviceUsersTests
{
    private const int Accounts = 300;

    private static readonly string[] Permissions =
        ["device:read", "device:manage", "remote-access:connect", "remote-access:manage", "reports:acknowledge", "configuration:read"];

    private const string D1 = "1111111111111111111111111111111111111111111111111111111111111111";
    private const string D2 = "2222222222222222222222222222222222222222222222222222222222222222";

    [Fact]
    public void List_RandomAccounts_MembershipEqualsCheckAllowed()
    {
        var listed = 0;
        var remoteAccessOff = 0;
        for (var seed = 1; seed <= Accounts; seed++)
        {
            var gen = new RandomAccounts(20_000 + seed);
            var data = gen.Account($"acct{seed}");
            var snapshot = Compile(data);
            foreach (var device in data.Nodes.Where(n => n.Kind == NodeKind.Device).Select(n => n.NodeId))
            {
                foreach (var permission in Permissions)
                {
                    var query = gen.Query(permission);
                    Assert.True(snapshot.TryGetDevice(device, out var node));
                    var pageSize = gen.Random.Next(1, 4);
                    var pages = AllPages(snapshot, node, Resolve(permission), query, pageSize, out var reason);
                    var context = $"seed {20_000 + seed}: {permission} on {device} {query} (page size {pageSize})";

                    var allowed = data.Users.Select(u => (u.UserId, Decision: Check(snapshot, u.UserId, permission, device, query)))
                        .Where(c => c.Decision.Allowed).OrderBy(c => c.UserId, StringComparer.Ordinal).ToList();
                    Assert.True(allowed.Select(a => a.UserId).SequenceEqual(pages.Select(p => p.User.UserId)), context);
                    for (var i = 0; i < allowed.Count; i++)
                    {
                        Assert.Same(allowed[i].Decision.Grant, pages[i].Decision.Grant);
                        Assert.Equal(allowed[i].Decision.Restricted, pages[i].Decision.Restricted);
                    }

                    var off = permission == "remote-access:connect" && !snapshot.RemoteAccessEnabled(node);
                    Assert.Equal(off ? DecisionReason.RemoteAccessDisabled : DecisionReason.Granted, reason);
                    remoteAccessOff += off ? 1 : 0;
                    listed += pages.Count;
                }
            }
        }

        // The generator must give both answers often, or agreement proves little.
        Assert.True(listed > 1_000, $"{listed} users listed");
        Assert.True(remoteAccessOff > 100, $"{remoteAccessOff} listings with remote access off");
    }

    [Fact]
    public void List_RandomGroups_ListedUsersAreAllowedOnEveryDeviceUnderTheGroup()
    {
        var groupsWithUsers = 0;
        for (var seed = 1; seed <= Accounts; seed++)
        {
            var gen = new RandomAccounts(30_000 + seed);
            var data = gen.Account($"acct{seed}");
            var snapshot = Compile(data);
            foreach (var group in data.Nodes.Where(n => n.Kind == NodeKind.Group).Select(n => n.NodeId))
            {
                foreach (var permission in Permissions)
                {
                    var query = gen.Query(permission);
                    Assert.True(snapshot.TryGetNode(group, out var node));
                    var pages = AllPages(snapshot, node, Resolve(permission), query, pageSize: 2, out var reason);
                    var context = $"seed {30_000 + seed}: {permission} on group {group} {query}";
                    var devicesUnder = snapshot.DevicesInOrder.Where(d => snapshot.AncestorsOf(d).Contains(node)).Select(d => snapshot.NodeIds[d]!).ToList();

                    // The group as an API call on it ({group_id}) would be decided: the same users, when it is available.
                    var asApiCall = data.Users.Where(u => NamedCheck.Decide(
                            snapshot, snapshot.Users[u.UserId], Resolve(permission), group, NodeNaming.Group, query).Allowed)
                        .Select(u => u.UserId).Order(StringComparer.Ordinal);
                    if (reason == DecisionReason.Granted)
                    {
                        Assert.True(asApiCall.SequenceEqual(pages.Select(p => p.User.UserId)), context);
                    }
                    else
                    {
                        Assert.Empty(pages);
                        Assert.Equal("remote-access:connect", permission);
                    }

                    foreach (var user in pages)
                    {
                        foreach (var device in devicesUnder)
                        {
                            Assert.True(Check(snapshot, user.User.UserId, permission, device, query).Allowed, $"{context}: {user.User.UserId} on {device}");
                        }
                    }

                    groupsWithUsers += pages.Count > 0 && devicesUnder.Count > 0 ? 1 : 0;
                }
            }
        }

        Assert.True(groupsWithUsers > 100, $"{groupsWithUsers} group listings with users and devices");
    }

    [Fact]
    public void List_DisabledAndRoleless_AreLeftOut()
    {
        var snapshot = Compile(new AccountBuilder("a").Group("root", "").Group("unassigned_group", "root")
            .Device(D1, "unassigned_group", false)
            .Role("all", Policy("device:read", "*"))
            .User("carol", false, "all").User("alice", false, "all").User("bob", true, "all").User("dave", false)
            .Build(3));
        Assert.True(snapshot.TryGetDevice(D1, out var node));

        var listing = DeviceUsers.List(snapshot, node, Permission.DeviceRead, RemoteAccessQuery.None, after: "", pageSize: 10);

        Assert.Equal(["alice", "carol"], listing.Users.Select(u => u.User.UserId));
        Assert.Equal(DecisionReason.Granted, listing.Reason);
        Assert.Equal(3, listing.Revision);
        Assert.Equal("all", listing.Users[0].Decision.Grant!.RoleId);
        Assert.Equal("*", listing.Users[0].Decision.Grant!.Resource);
    }

    [Fact]
    public void List_AfterAUserWhoIsGone_ResumesAtTheNextId()
    {
        var snapshot = Compile(new AccountBuilder("a").Group("root", "").Group("unassigned_group", "root")
            .Device(D1, "unassigned_group", false)
            .Role("all", Policy("device:read", "*"))
            .User("u1", false, "all").User("u3", false, "all").User("u5", false, "all")
            .Build(3));
        Assert.True(snapshot.TryGetDevice(D1, out var node));

        var first = DeviceUsers.List(snapshot, node, Permission.DeviceRead, RemoteAccessQuery.None, after: "", pageSize: 1);
        var resumed = DeviceUsers.List(snapshot, node, Permission.DeviceRead, RemoteAccessQuery.None, after: "u2", pageSize: 1);
        var last = DeviceUsers.List(snapshot, node, Permission.DeviceRead, RemoteAccessQuery.None, after: "u3", pageSize: 1);

        Assert.Equal(["u1"], first.Users.Select(u => u.User.UserId));
        Assert.True(first.More);
        Assert.Equal(["u3"], resumed.Users.Select(u => u.User.UserId));
        Assert.True(resumed.More);
        Assert.Equal(["u5"], last.Users.Select(u => u.User.UserId));
        Assert.False(last.More);
    }

    [Theory]
    [InlineData("agent", "the agent of device " + D1 + " was started with --disable-remote-access")]
    [InlineData("own", "the remote-access setting of device " + D1 + " itself is disabled")]
    [InlineData("tag", "the remote-access setting of tag lab (the most recently changed among the tags of device " + D1 + ") is disabled")]
    [InlineData("group", "the remote-access setting of group g1 (inherited by device " + D1 + ") is disabled")]
    [InlineData("root", "the account's remote-access setting (on root, inherited by device " + D1 + ") is disabled")]
    [InlineData("none", "no setting enables remote access for device " + D1 + " (it is off until enabled on the device, a tag, a group or the account)")]
    public void List_ConnectWhereRemoteAccessIsOff_IsEmptyAndNamesTheCause(string cause, string expected)
    {
        var account = new AccountBuilder("a").Group("root", "").Group("unassigned_group", "root").Group("g1", "root")
            .Device(D1, "g1", cause == "agent", "lab", "other")
            .Role("ops", Policy("remote-access:connect", "*"))
            .User("alice", false, "ops");
        _ = cause switch
        {
            "agent" => account.NodeSetting(D1, true),
            "own" => account.NodeSetting(D1, false).TagSetting("lab", true, 5),
            "tag" => account.TagSetting("other", true, 4).TagSetting("lab", false, 5).NodeSetting("g1", true),
            "group" => account.NodeSetting("g1", false).NodeSetting("root", true),
            "root" => account.NodeSetting("root", false),
            _ => account,
        };
        var snapshot = Compile(account.Build(2));
        Assert.True(snapshot.TryGetDevice(D1, out var node));

        var listing = DeviceUsers.List(snapshot, node, Permission.RemoteAccessConnect, Plain(RemoteAction.Console), after: "", pageSize: 10);

        Assert.Empty(listing.Users);
        Assert.Equal(DecisionReason.RemoteAccessDisabled, listing.Reason);
        Assert.Equal($"Nobody may connect to device {D1}: {expected}.", listing.Message);
        Assert.Equal(DecisionReason.RemoteAccessDisabled, Check(snapshot, "alice", "remote-access:connect", D1, Plain(RemoteAction.Console)).Reason);
    }

    [Fact]
    public void List_GroupWithADeviceThatRefusesRemoteAccess_IsEmptyAndNamesTheDevice()
    {
        var snapshot = Compile(new AccountBuilder("a").Group("root", "").Group("unassigned_group", "root").Group("g1", "root")
            .Device(D1, "g1", false).Device(D2, "g1", true)
            .NodeSetting("root", true)
            .Role("ops", Policy("remote-access:connect", "node:g1"))
            .User("alice", false, "ops")
            .Build(2));
        Assert.True(snapshot.TryGetNode("g1", out var group));
        Assert.True(snapshot.TryGetDevice(D1, out var device));

        var listing = DeviceUsers.List(snapshot, group, Permission.RemoteAccessConnect, RemoteAccessQuery.None, after: "", pageSize: 10);
        var onTheOtherDevice = DeviceUsers.List(snapshot, device, Permission.RemoteAccessConnect, RemoteAccessQuery.None, after: "", pageSize: 10);

        Assert.Empty(listing.Users);
        Assert.Equal(DecisionReason.RemoteAccessDisabled, listing.Reason);
        Assert.Contains($"a device under it does not accept remote access (the agent of device {D2}", listing.Message);
        Assert.Equal(["alice"], onTheOtherDevice.Users.Select(u => u.User.UserId));
    }

    [Fact]
    public void List_GroupAndTagGrants_OnlyNodeGrantsAtOrAboveCountForAGroup()
    {
        var snapshot = Compile(new AccountBuilder("a").Group("root", "").Group("unassigned_group", "root").Group("g1", "root").Group("g2", "g1", "lab")
            .Device(D1, "g2", false, "lab")
            .Role("above", Policy("device:read", "node:g1")).Role("tagged", Policy("device:read", "tag:lab")).Role("below", Policy("device:read", $"node:{D1}"))
            .User("above", false, "above").User("tagged", false, "tagged").User("below", false, "below")
            .Build(2));
        Assert.True(snapshot.TryGetNode("g2", out var group));
        Assert.True(snapshot.TryGetDevice(D1, out var device));

        var onGroup = DeviceUsers.List(snapshot, group, Permission.DeviceRead, RemoteAccessQuery.None, after: "", pageSize: 10);
        var onDevice = DeviceUsers.List(snapshot, device, Permission.DeviceRead, RemoteAccessQuery.None, after: "", pageSize: 10);

        Assert.Equal(["above"], onGroup.Users.Select(u => u.User.UserId));
        Assert.Equal("node:g1", onGroup.Users[0].Decision.Grant!.Resource);
        Assert.Equal(["above", "below", "tagged"], onDevice.Users.Select(u => u.User.UserId));
    }

    [Fact]
    public void UsersInOrder_EmailsKept_FromTheRows()
    {
        var data = new AccountBuilder("a").Group("root", "").Group("unassigned_group", "root").User("b", false).User("a", false).Build(1);

        var snapshot = Compile(data);

        Assert.Equal(["a", "b"], snapshot.UsersInOrder.Select(u => u.UserId));
        Assert.Equal(data.Users.Single(u => u.UserId == "a").Email, snapshot.UsersInOrder[0].Email);
        Assert.NotEqual(string.Empty, snapshot.UsersInOrder[0].Email);
    }

    private static Permission Resolve(string name) => PermissionCatalog.Require(name, "permission");

    private static List<DeviceUserGrant> AllPages(
        AccountSnapshot snapshot, int node, Permission permission, RemoteAccessQuery query, int pageSize, out DecisionReason reason)
    {
        var all = new List<DeviceUserGrant>();
        var after = string.Empty;
        while (true)
        {
            var page = DeviceUsers.List(snapshot, node, permission, query, after, pageSize);
            reason = page.Reason;
            Assert.True(page.Users.Count <= pageSize);
            all.AddRange(page.Users);
            if (!page.More)
            {
                return all;
            }

            Assert.Equal(pageSize, page.Users.Count);
            after = page.Users[^1].User.UserId;
        }
    }
}
