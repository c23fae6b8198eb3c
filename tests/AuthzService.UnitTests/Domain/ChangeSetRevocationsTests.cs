using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Changes;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.UnitTests.Domain;

public sealed class ChangeSetRevocationsTests
{
    private const string A = "acme";
    private static readonly string Device = 1.ToString("x64");
    private static readonly string AgentOff = 2.ToString("x64");

    // tina: tag-scoped device reads; rita: connect anywhere; olga: audit only; tom: tag-scoped connect, disabled.
    private static readonly AccountSnapshot Now = SnapshotCompiler.Compile(
        new AccountData(
            new AccountRecord(A, "Acme", 9, 90),
            [Role("tagged", ("device:read", ["tag:web"])), Role("all", ("remote-access:connect", [])), Role("audit", ("audit:read", []))],
            [User("tina", "tagged"), User("rita", "all"), User("olga", "audit"), User("tom", "tagged") with { Status = UserState.Disabled }],
            [
                new NodeRecord(A, "root", NodeKind.Group, string.Empty, string.Empty, [], false),
                new NodeRecord(A, "g1", NodeKind.Group, "root", string.Empty, [], false),
                new NodeRecord(A, Device, NodeKind.Device, "g1", string.Empty, ["web"], false),
                new NodeRecord(A, AgentOff, NodeKind.Device, "g1", string.Empty, [], true),
            ],
            [new RemoteAccessSettingRecord(RemoteAccessTarget.Node, "root", true, 1)]),
        DateTimeOffset.UnixEpoch);

    private static RoleRecord Role(string id, params (string Permission, string[] Resources)[] policies) =>
        new(A, id, id, string.Empty, policies.Select(p => new PolicyRecord(p.Permission, p.Resources)).ToArray());

    private static UserRecord User(string id, params string[] roles) =>
        new(A, id, $"{id}@example.com", string.Empty, string.Empty, roles, UserState.Active);

    private static NodeRecord Node(string id, string parent = "g1") =>
        new(A, id, Ids.IsDeviceId(id) ? NodeKind.Device : NodeKind.Group, parent, string.Empty, [], false);

    private static string[] Named(params Change[] changes) => ChangeSetRevocations.UsersWhoseRightsMayHaveShrunk(
        new ChangeSet(A, new AccountVersion(5, 50), 40, DateTimeOffset.UnixEpoch, changes), Now);

    [Fact]
    public void UserPutOrDeleted_NamesThatUserOnly()
    {
        Assert.Equal(["olga"], Named(new UserPut(User("olga", "audit"))));
        Assert.Equal(["gone"], Named(new UserDeleted("gone")));
    }

    [Fact]
    public void RolePut_NamesItsHoldersNow_DisabledOnesToo()
    {
        Assert.Equal(["tina", "tom"], Named(new RolePut(Role("tagged", ("device:read", ["tag:db"])))));
    }

    [Fact]
    public void RoleDeleted_NamesItsHoldersNowAndTheUsersTheChangeSetNames()
    {
        // A held role cannot be deleted: its holders left it in this change set or before.
        Assert.Empty(Named(new RoleDeleted("retired")));
        Assert.Equal(["olga"], Named(new UserPut(User("olga")), new RoleDeleted("audit-old")));
    }

    [Fact]
    public void NodePut_OfANodeWithRemoteAccessNow_StillNamesTheConnectGrantHolders()
    {
        // The snapshot is the replay's end: the node may have lost remote access at this revision and got it back later.
        Assert.Equal(["rita", "tina"], Named(new NodePut(Node(Device))));
        Assert.Equal(["rita", "tina"], Named(new NodePut(Node("g1", "root"))));
    }

    [Fact]
    public void NodePut_OfANodeWithoutRemoteAccessNow_AlsoNamesTheConnectGrantHolders()
    {
        Assert.Equal(["rita", "tina"], Named(new NodePut(Node(AgentOff))));
    }

    [Fact]
    public void NodeDeleted_NamesScopedAndConnectGrantHolders()
    {
        Assert.Equal(["rita", "tina"], Named(new NodeDeleted(4.ToString("x64"))));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(null)]
    public void RemoteAccessTurnedOffOrCleared_NamesTheActiveConnectGrantHolders(bool? enabled)
    {
        Assert.Equal(["rita"], Named(new RemoteAccessChanged(RemoteAccessTarget.Tag, "web", enabled, 5)));
    }

    [Fact]
    public void GrowingOrNeutralChanges_NameNobody()
    {
        Assert.Empty(Named(new RemoteAccessChanged(RemoteAccessTarget.Node, "g1", true, 5)));
        Assert.Empty(Named(new AccountPut(A, "Acme Corp")));
    }
}
