using Grpc.Core;
using Qbee.Authz.V1;

namespace Qbee.Authz.Client.FunctionalTests;

/// <summary>Every method of the client against the real service in process.</summary>
public sealed class AuthzClientTests : IAsyncLifetime
{
    private AuthzServer _server = null!;
    private ClientHost _host = null!;
    private ulong _seeded;

    private IAuthzClient Client => _host.Client;

    public async Task InitializeAsync()
    {
        _server = await AuthzServer.StartAsync(hooks: new ServerHooks(Faults: new FaultInjector()));
        _host = new ClientHost(_server);
        _seeded = await Acme.SeedAsync(_host.Admin);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task CheckAsync_DeviceInScope_IsAllowedWithTheGrant()
    {
        var decision = await Client.CheckAsync("bob", "device:read", Acme.Device1);

        Assert.True(decision.Allowed);
        Assert.Equal(DecisionReason.Granted, decision.Reason);
        Assert.Equal("support", decision.RoleId);
        Assert.Equal("tag:production", decision.Resource);
        Assert.Equal("device:read", decision.Permission);
        Assert.Equal(_seeded, decision.Revision);
    }

    [Fact]
    public async Task CheckAsync_DeviceOutOfScope_IsADenyNotAnError()
    {
        var decision = await Client.CheckAsync("bob", "device:read", Acme.Device2);

        Assert.False(decision.Allowed);
        Assert.Equal(DecisionReason.DeviceOutOfScope, decision.Reason);
        Assert.Null(decision.RoleId);
        Assert.Null(decision.Resource);
        Assert.NotEmpty(decision.Message);
    }

    [Fact]
    public async Task CheckAsync_RemoteAccess_GrantsTheConsoleButNotATunnel()
    {
        var console = await Client.CheckAsync("bob", "remote-access:connect", Acme.Device1, RemoteAccessRequest.Console());
        var tunnel = await Client.CheckAsync("bob", "remote-access:connect", Acme.Device1, RemoteAccessRequest.Tunnel("tcp", 22, "localhost"));

        Assert.True(console.Allowed);
        Assert.False(tunnel.Allowed);
        Assert.Equal(DecisionReason.ActionNotGranted, tunnel.Reason);
    }

    [Fact]
    public async Task CheckAsync_Explain_ReturnsTheWholePath()
    {
        var plain = await Client.CheckAsync("bob", "device:read", Acme.Device2);
        var explained = await Client.CheckAsync(new CheckQuery("bob", "device:read", Acme.Device2) { Explain = true });

        Assert.False(explained.Allowed);
        Assert.True(explained.Message.Length > plain.Message.Length, $"'{explained.Message}' explains no more than '{plain.Message}'");
    }

    [Fact]
    public async Task CheckAsync_UnknownPermission_ThrowsInvalidArgument()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Client.CheckAsync("bob", "device:fly", Acme.Device1));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task CheckManyAsync_AnswersInRequestOrder()
    {
        var decisions = await Client.CheckManyAsync(
        [
            new CheckQuery("bob", "device:read", Acme.Device1),
            new CheckQuery("bob", "device:read", Acme.Device2),
            new CheckQuery("olivia", "device:manage", Acme.Device2),
            new CheckQuery("mallory", "device:read"),
        ]);

        Assert.Equal([true, false, true, false], decisions.Select(d => d.Allowed));
        Assert.Equal(DecisionReason.UserNotFound, decisions[3].Reason);
    }

    [Fact]
    public async Task CheckApiCallAsync_InventoryReport_MapsToInventoryRead()
    {
        var bob = await Client.CheckApiCallAsync("bob", "GET", $"/api/v2/inventoryreport/{Acme.Device1}");
        var olivia = await Client.CheckApiCallAsync("olivia", "GET", $"/api/v2/inventoryreport/{Acme.Device1}");

        Assert.Equal("inventory:read", bob.Permission);
        Assert.False(bob.Allowed);
        Assert.True(olivia.Allowed);
    }

    [Fact]
    public async Task ResolveScopeAsync_Support_IsTheGrantsTagsAndNodes()
    {
        var scope = await Client.ResolveScopeAsync("bob", "device:read");

        Assert.True(scope.Granted);
        Assert.False(scope.Unrestricted);
        Assert.Equal(["production"], scope.Tags);
        Assert.Equal(["lab"], scope.NodeIds);
        Assert.True(scope.Includes(["production"], [Acme.Device1, "line-1", "factory", "root"]));
        Assert.False(scope.Includes([], [Acme.Device2, "line-1", "factory", "root"]));
    }

    [Fact]
    public async Task ResolveScopeAsync_UserWithoutTheRole_IsNotGranted()
    {
        var scope = await Client.ResolveScopeAsync("carol", "device:read");

        Assert.False(scope.Granted);
        Assert.Equal(DecisionReason.PermissionNotGranted, scope.Reason);
        Assert.False(scope.Includes(["production"], ["root"]));
    }

    [Fact]
    public async Task ListAllowedDevicesAsync_PagesOfOne_FollowsEveryPage()
    {
        var devices = await Client.ListAllowedDevicesAsync("olivia", "device:read", pageSize: 1).ToListAsync();

        Assert.Equal(new[] { Acme.Device1, Acme.Device2, Acme.Device3 }.Order(), devices.Order());
        Assert.Equal(3, _server.Faults.CallsOf("ListAllowedDevices").Count);
    }

    [Fact]
    public async Task ListAllowedDevicesAsync_RemoteConsole_OnlyWhereTheActionIsAllowed()
    {
        var devices = await Client.ListAllowedDevicesAsync("bob", "remote-access:connect", RemoteAccessRequest.Console()).ToListAsync();

        Assert.Equal([Acme.Device1], devices);
    }

    [Fact]
    public async Task GetEffectivePermissionsAsync_OnADevice_ListsWhatApplies()
    {
        var onDevice1 = await Client.GetEffectivePermissionsAsync("bob", Acme.Device1);
        var onDevice2 = await Client.GetEffectivePermissionsAsync("bob", Acme.Device2);

        Assert.Contains("device:read", onDevice1.Permissions);
        Assert.DoesNotContain("device:read", onDevice2.Permissions);
        Assert.Equal(_seeded, onDevice1.Revision);
    }

    [Fact]
    public async Task AdminClient_EveryWrite_ReturnsAHigherRevisionAndIsReadBack()
    {
        var admin = _host.Admin;
        var put = await admin.PutNodeAsync(Acme.Group("spare", "root"));
        var read = await admin.GetNodeAsync(Acme.Id, "spare");
        var remote = await admin.SetRemoteAccessOnTagAsync(Acme.Id, "test", RemoteAccessSetting.Disabled);
        var deleted = await admin.DeleteNodeAsync(Acme.Id, "spare");
        await admin.PutRoleAsync(new Role { AccountId = Acme.Id, RoleId = "temp", Name = "Temp" });
        var roles = await admin.ListRolesAsync(Acme.Id);
        var roleDeleted = await admin.DeleteRoleAsync(Acme.Id, "temp");
        var userDeleted = await admin.DeleteUserAsync(Acme.Id, "carol");
        var users = await admin.ListUsersAsync(Acme.Id);

        Assert.True(_seeded < put && put < remote && remote < deleted && deleted < roleDeleted && roleDeleted < userDeleted);
        Assert.Equal("line-1", (await admin.GetNodeAsync(Acme.Id, Acme.Device1)).ParentId);
        Assert.Equal(NodeType.Group, read.Type);
        Assert.Contains(roles, r => r.RoleId == "temp");
        Assert.DoesNotContain(users, u => u.UserId == "carol");
        Assert.Contains(users, u => u.UserId == "bob");
    }

    [Fact]
    public async Task AdminClient_DeleteAssignedRole_ThrowsFailedPrecondition()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _host.Admin.DeleteRoleAsync(Acme.Id, "support"));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
    }

    [Fact]
    public async Task AdminClient_AuditAndStatus_SeeTheWrites()
    {
        var events = await _host.Admin.ListAuditEventsAsync(Acme.Id).ToListAsync();
        var status = await _host.Admin.GetStatusAsync();

        Assert.Contains(events, e => e.Kind == "admin.put_role");
        Assert.Contains(status.Accounts, a => a.AccountId == Acme.Id && a.Revision == _seeded);
    }

    [Fact]
    public async Task ReadYourWrites_On_SendsTheLastWritesRevisionAsMinRevision()
    {
        await using var host = new ClientHost(_server, o => o.ReadYourWrites = true);
        await host.Admin.PutUserAsync(Acme.User("bob", "support")); // teaches this client bob's account
        var revision = await host.Admin.PutRoleAsync(Acme.SupportRole("tag:production", "node:lab", "node:line-1"));

        var decision = await host.Client.CheckAsync("bob", "device:read", Acme.Device2);
        var scope = await host.Client.ResolveScopeAsync("bob", "device:read");

        Assert.True(decision.Allowed);
        Assert.Equal(revision, _server.Faults.CallsOf("Check").Last().Field<ulong>("min_revision"));
        Assert.Equal(revision, _server.Faults.CallsOf("ResolveScope").Last().Field<ulong>("min_revision"));
        Assert.Contains("line-1", scope.NodeIds);
    }

    [Fact]
    public async Task ReadYourWrites_UserOfAnUnknownAccount_SendsNoMinRevisionUntilTold()
    {
        await using var host = new ClientHost(_server, o => o.ReadYourWrites = true);
        var revision = await host.Admin.PutNodeAsync(Acme.Group("elsewhere", "root"));

        await host.Client.CheckAsync("bob", "device:read", Acme.Device1);
        host.Client.RememberUserAccount("bob", Acme.Id);
        await host.Client.CheckAsync("bob", "device:read", Acme.Device1);

        Assert.Equal([0UL, revision], _server.Faults.CallsOf("Check").Select(c => c.Field<ulong>("min_revision")));
    }

    [Fact]
    public async Task ReadYourWrites_Off_SendsNoMinRevision()
    {
        var revision = await _host.Admin.PutUserAsync(Acme.User("bob", "support"));

        await Client.CheckAsync("bob", "device:read", Acme.Device1);

        Assert.True(revision > 0);
        Assert.Equal(0UL, _server.Faults.CallsOf("Check").Last().Field<ulong>("min_revision"));
    }
}
