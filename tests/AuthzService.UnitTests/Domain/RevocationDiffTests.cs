using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.UnitTests.Domain;

public sealed class RevocationDiffTests
{
    private const string A = "acme";
    private static readonly string Device = 1.ToString("x64");

    private static AccountData Account(
        long revision,
        RoleRecord[]? roles = null,
        UserRecord[]? users = null,
        NodeRecord[]? devices = null,
        RemoteAccessSettingRecord[]? settings = null) => new(
        new AccountRecord(A, "Acme", revision),
        roles ?? [Role("tagged", ("device:read", ["tag:web"])), Role("all", ("remote-access:connect", []))],
        users ?? [User("tina", "tagged"), User("rita", "all"), User("olga")],
        [
            new NodeRecord(A, "root", NodeKind.Group, string.Empty, string.Empty, [], false),
            new NodeRecord(A, "g1", NodeKind.Group, "root", string.Empty, [], false),
            new NodeRecord(A, "g2", NodeKind.Group, "root", string.Empty, [], false),
            .. devices ?? [new NodeRecord(A, Device, NodeKind.Device, "g1", string.Empty, ["web"], false)],
        ],
        settings ?? [new RemoteAccessSettingRecord(RemoteAccessTarget.Node, "root", true, 1)]);

    private static RoleRecord Role(string id, params (string Permission, string[] Resources)[] policies) =>
        new(A, id, id, string.Empty, policies.Select(p => new PolicyRecord(p.Permission, p.Resources)).ToArray());

    private static UserRecord User(string id, params string[] roles) =>
        new(A, id, $"{id}@example.com", string.Empty, string.Empty, roles, UserState.Active);

    private static string[] Diff(AccountData before, AccountData after) => RevocationDiff.UsersWhoseRightsMayHaveShrunk(
        SnapshotCompiler.Compile(before, DateTimeOffset.UnixEpoch), SnapshotCompiler.Compile(after, DateTimeOffset.UnixEpoch));

    [Fact]
    public void NothingChanged_NamesNobody()
    {
        Assert.Empty(Diff(Account(1), Account(2)));
    }

    [Fact]
    public void UserDeletedOrDisabled_NamesThem()
    {
        var disabled = User("tina", "tagged") with { Status = UserState.Disabled };

        Assert.Equal(["rita", "tina"], Diff(Account(1), Account(2, users: [disabled, User("olga")])));
    }

    [Fact]
    public void RoleLostAGrant_NamesItsUsersOnly()
    {
        var narrower = Role("tagged", ("device:read", ["tag:web", "tag:db"]));
        var replaced = Role("all", ("remote-access:connect", ["tag:web/console"]));

        Assert.Empty(Diff(Account(1), Account(2, roles: [narrower, Role("all", ("remote-access:connect", []))])));
        Assert.Equal(["rita"], Diff(Account(1), Account(2, roles: [narrower, replaced])));
    }

    [Fact]
    public void RoleRemovedFromUser_NamesThem()
    {
        Assert.Equal(["tina"], Diff(Account(1), Account(2, users: [User("tina"), User("rita", "all"), User("olga")])));
    }

    [Fact]
    public void DeviceMovedOrRetagged_NamesUsersWithScopedGrants()
    {
        var moved = new NodeRecord(A, Device, NodeKind.Device, "g2", string.Empty, ["web"], false);
        var retagged = new NodeRecord(A, Device, NodeKind.Device, "g1", string.Empty, [], false);
        var tagAdded = new NodeRecord(A, Device, NodeKind.Device, "g1", string.Empty, ["web", "new"], false);

        Assert.Equal(["tina"], Diff(Account(1), Account(2, devices: [moved])));
        Assert.Equal(["tina"], Diff(Account(1), Account(2, devices: [retagged])));
        Assert.Empty(Diff(Account(1), Account(2, devices: [tagAdded])));
    }

    [Fact]
    public void RemoteAccessTurnedOffOrDeviceDeleted_NamesUsersWhoMayConnect()
    {
        var off = new RemoteAccessSettingRecord(RemoteAccessTarget.Node, Device, false, 2);

        Assert.Equal(["rita"], Diff(Account(1), Account(2, settings: [new RemoteAccessSettingRecord(RemoteAccessTarget.Node, "root", true, 1), off])));
        Assert.Equal(["rita"], Diff(Account(1), Account(2, devices: [])));
    }
}
