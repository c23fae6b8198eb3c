using Grpc.Core;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.FunctionalTests;

public sealed class AuthorizationServiceTests : IAsyncLifetime
{
    private const string Acme = "acme";
    private static readonly string Web1 = Fleet.DeviceId(1);
    private static readonly string Web2 = Fleet.DeviceId(2);
    private static readonly string Db1 = Fleet.DeviceId(3);
    private AuthzServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await AuthzServer.StartAsync();
        var admin = _server.Admin;
        await admin.CreateAccountAsync(Fleet.Account(Acme, "olivia"));
        await admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(Acme, "prod") });
        await admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(Acme, "web", "prod") });
        await admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Web1, "web", "nginx") });
        await admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Web2, "web") });
        await admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Db1, "prod", "postgres") });
        await admin.PutRoleAsync(new PutRoleRequest
        {
            Role = Fleet.Role(Acme, "support",
                ("device:read", ["tag:nginx", "node:web"]),
                ("remote-access:connect", ["node:web/tunnel(proto=tcp;port=8000-8100;dst=localhost)", "tag:postgres/console"]),
                ("audit:read", [])),
        });
        await admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "bob", "support") });
        await admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Acme, NodeId = "prod", Setting = RemoteAccessSetting.Enabled });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Check_DeviceInTaggedScope_IsGrantedWithRoleAndResource()
    {
        var answer = await _server.Authz.CheckAsync(new CheckRequest { UserId = "bob", Permission = "device:read", DeviceId = Web1 });

        Assert.True(answer.Allowed);
        Assert.Equal(DecisionReason.Granted, answer.Reason);
        Assert.Equal("support", answer.RoleId);
        Assert.Equal("tag:nginx", answer.Resource);
        Assert.Equal("device:read", answer.Permission);
        Assert.False(answer.Restricted);
    }

    [Fact]
    public async Task Check_DeviceOutsideScope_IsDeviceOutOfScope()
    {
        var answer = await _server.Authz.CheckAsync(new CheckRequest { UserId = "bob", Permission = "device:read", DeviceId = Db1 });

        Assert.False(answer.Allowed);
        Assert.Equal(DecisionReason.DeviceOutOfScope, answer.Reason);
        Assert.Empty(answer.RoleId);
    }

    [Fact]
    public async Task Check_UnknownUser_IsUserNotFound()
    {
        var answer = await _server.Authz.CheckAsync(new CheckRequest { UserId = "mallory", Permission = "device:read" });

        Assert.Equal(DecisionReason.UserNotFound, answer.Reason);
        Assert.False(answer.Allowed);
    }

    [Fact]
    public async Task Check_DeviceOfAnotherAccount_IsDeviceNotFoundEvenForTheOwner()
    {
        await _server.Admin.CreateAccountAsync(Fleet.Account("globex", "gina"));
        var foreign = Fleet.DeviceId(99);
        await _server.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device("globex", foreign, "") });

        var answer = await _server.Authz.CheckAsync(new CheckRequest { UserId = "olivia", Permission = "device:read", DeviceId = foreign });

        Assert.Equal(DecisionReason.DeviceNotFound, answer.Reason);
        Assert.False(answer.Allowed);
    }

    [Fact]
    public async Task Check_TunnelWithinGrantedPorts_IsGranted_AndOutsideIsActionNotGranted()
    {
        var inside = await _server.Authz.CheckAsync(Tunnel(Web2, 8080));
        var outside = await _server.Authz.CheckAsync(Tunnel(Web2, 22));

        Assert.True(inside.Allowed, inside.Message);
        Assert.Equal("node:web/tunnel(proto=tcp;port=8000-8100;dst=localhost)", inside.Resource);
        Assert.Equal(DecisionReason.ActionNotGranted, outside.Reason);
    }

    [Fact]
    public async Task Check_RemoteAccessNotEnabledOnDevice_IsRemoteAccessDisabled()
    {
        await _server.Admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Acme, NodeId = Web2, Setting = RemoteAccessSetting.Disabled });

        var answer = await _server.Authz.CheckAsync(Tunnel(Web2, 8080));

        Assert.Equal(DecisionReason.RemoteAccessDisabled, answer.Reason);
        Assert.False(answer.Allowed);
    }

    [Fact]
    public async Task Check_ConnectWithoutAction_IsGrantedButRestricted()
    {
        var answer = await _server.Authz.CheckAsync(new CheckRequest { UserId = "bob", Permission = "remote-access:connect", DeviceId = Db1 });

        Assert.True(answer.Allowed);
        Assert.True(answer.Restricted);
    }

    [Fact]
    public async Task Check_WithExplain_TellsTheRolesAndResources()
    {
        var answer = await _server.Authz.CheckAsync(new CheckRequest { UserId = "bob", Permission = "device:read", DeviceId = Db1, Explain = true });

        Assert.Contains("support", answer.Message);
        Assert.Contains("tag:nginx", answer.Message);
        Assert.Contains("does not cover", answer.Message);
    }

    [Theory]
    [InlineData("", "device:read", "", "user_id")]
    [InlineData("bob", "device:fly", "", "permission")]
    [InlineData("bob", "device:read", "not-a-device", "device_id")]
    [InlineData("bob\u0000", "device:read", "", "user_id")]
    public async Task Check_MalformedRequest_IsInvalidArgumentNamingTheField(string user, string permission, string device, string field)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _server.Authz.CheckAsync(new CheckRequest { UserId = user, Permission = permission, DeviceId = device }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(field, error.Status.Detail);
    }

    [Fact]
    public async Task Check_RemoteAccessParametersOnAnotherPermission_IsInvalidArgument()
    {
        var request = new CheckRequest { UserId = "bob", Permission = "device:read", RemoteAccess = new RemoteAccess { Port = 22 } };

        var error = await Assert.ThrowsAsync<RpcException>(() => _server.Authz.CheckAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("remote_access", error.Status.Detail);
    }

    [Fact]
    public async Task CheckBatch_AnswersInRequestOrder()
    {
        var batch = new CheckBatchRequest();
        batch.Checks.Add(new CheckRequest { UserId = "bob", Permission = "device:read", DeviceId = Web1 });
        batch.Checks.Add(new CheckRequest { UserId = "bob", Permission = "device:read", DeviceId = Db1 });
        batch.Checks.Add(new CheckRequest { UserId = "nobody", Permission = "audit:read" });
        batch.Checks.Add(new CheckRequest { UserId = "bob", Permission = "audit:read" });

        var answers = await _server.Authz.CheckBatchAsync(batch);

        Assert.Equal(
            [DecisionReason.Granted, DecisionReason.DeviceOutOfScope, DecisionReason.UserNotFound, DecisionReason.Granted],
            answers.Results.Select(r => r.Reason));
    }

    [Fact]
    public async Task CheckBatch_OneMalformedItem_FailsTheBatchNamingItsIndex()
    {
        var batch = new CheckBatchRequest();
        batch.Checks.Add(new CheckRequest { UserId = "bob", Permission = "device:read" });
        batch.Checks.Add(new CheckRequest { UserId = "bob", Permission = "nope" });

        var error = await Assert.ThrowsAsync<RpcException>(() => _server.Authz.CheckBatchAsync(batch).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("checks[1].permission", error.Status.Detail);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public async Task CheckBatch_SizeOutsideLimits_IsInvalidArgument(int size)
    {
        var batch = new CheckBatchRequest();
        batch.Checks.AddRange(Enumerable.Range(0, size).Select(_ => new CheckRequest { UserId = "bob", Permission = "audit:read" }));

        var error = await Assert.ThrowsAsync<RpcException>(() => _server.Authz.CheckBatchAsync(batch).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/api/v2/deviceattribute/{web1}", true, "device:read")]
    [InlineData("GET", "/deviceattribute/{db1}?x=1", false, "device:read")]
    [InlineData("GET", "/grouptree/web/", true, "device:read")]
    [InlineData("GET", "/grouptree/prod", false, "device:read")]
    [InlineData("GET", "/commitlist", true, "audit:read")]
    [InlineData("DELETE", "/user/x", false, "users:manage")]
    public async Task CheckApiCall_MapsThePathToItsPermissionAndResource(string method, string path, bool allowed, string permission)
    {
        var request = new CheckApiCallRequest { UserId = "bob", Method = method, Path = path.Replace("{web1}", Web1).Replace("{db1}", Db1) };

        var answer = await _server.Authz.CheckApiCallAsync(request);

        Assert.Equal(allowed, answer.Allowed);
        Assert.Equal(permission, answer.Permission);
    }

    [Fact]
    public async Task CheckApiCall_UnknownCall_IsApiCallUnknown()
    {
        var answer = await _server.Authz.CheckApiCallAsync(new CheckApiCallRequest { UserId = "olivia", Method = "GET", Path = "/api/v2/secrets" });

        Assert.False(answer.Allowed);
        Assert.Equal(DecisionReason.ApiCallUnknown, answer.Reason);
    }

    [Fact]
    public async Task ResolveScope_RestrictedUser_GetsTagsAndNodes_OwnerIsUnrestricted()
    {
        var bob = await _server.Authz.ResolveScopeAsync(new ResolveScopeRequest { UserId = "bob", Permission = "device:read" });
        var olivia = await _server.Authz.ResolveScopeAsync(new ResolveScopeRequest { UserId = "olivia", Permission = "device:read" });

        Assert.True(bob.Granted);
        Assert.False(bob.Unrestricted);
        Assert.Equal(["nginx"], bob.Tags);
        Assert.Equal(["web"], bob.NodeIds);
        Assert.True(olivia.Unrestricted);
    }

    [Fact]
    public async Task ListAllowedDevices_PagesInStableOrderWithOpaqueTokens()
    {
        var first = await _server.Authz.ListAllowedDevicesAsync(new ListAllowedDevicesRequest { UserId = "olivia", Permission = "device:read", PageSize = 2 });
        var second = await _server.Authz.ListAllowedDevicesAsync(new ListAllowedDevicesRequest
        {
            UserId = "olivia", Permission = "device:read", PageSize = 2, PageToken = first.NextPageToken,
        });

        Assert.Equal([Web1, Web2], first.DeviceIds);
        Assert.NotEmpty(first.NextPageToken);
        Assert.Equal([Db1], second.DeviceIds);
        Assert.Empty(second.NextPageToken);
    }

    [Fact]
    public async Task ListAllowedDevices_OnlyDevicesInScope()
    {
        var answer = await _server.Authz.ListAllowedDevicesAsync(new ListAllowedDevicesRequest { UserId = "bob", Permission = "device:read" });

        Assert.Equal([Web1, Web2], answer.DeviceIds);
    }

    [Fact]
    public async Task ListAllowedDevices_TokenOfAnotherQueryOrTampered_IsInvalidArgument()
    {
        var first = await _server.Authz.ListAllowedDevicesAsync(new ListAllowedDevicesRequest { UserId = "olivia", Permission = "device:read", PageSize = 1 });
        var otherQuery = new ListAllowedDevicesRequest { UserId = "olivia", Permission = "device:manage", PageSize = 1, PageToken = first.NextPageToken };
        var tampered = new ListAllowedDevicesRequest { UserId = "olivia", Permission = "device:read", PageSize = 1, PageToken = first.NextPageToken[..^2] + "AA" };

        foreach (var request in new[] { otherQuery, tampered })
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => _server.Authz.ListAllowedDevicesAsync(request).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.StartsWith("page_token", error.Status.Detail);
        }
    }

    [Fact]
    public async Task GetEffectivePermissions_ListsPermissionsAndTheUiElementsTheyUnlock()
    {
        var answer = await _server.Authz.GetEffectivePermissionsAsync(new GetEffectivePermissionsRequest { UserId = "bob" });
        var onDb = await _server.Authz.GetEffectivePermissionsAsync(new GetEffectivePermissionsRequest { UserId = "bob", DeviceId = Db1 });

        Assert.Equal(["audit:read", "device:read", "remote-access:connect"], answer.Permissions.Order());
        Assert.Contains("Audit", answer.UiElements);
        Assert.DoesNotContain("Remote console", answer.UiElements);
        Assert.Equal(["audit:read", "remote-access:connect"], onDb.Permissions.Order());
    }

    [Fact]
    public async Task Check_MinRevisionOfAWrite_SeesTheWrite()
    {
        var write = await _server.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "carol", "support") });

        var answer = await _server.Authz.CheckAsync(new CheckRequest { UserId = "carol", Permission = "device:read", DeviceId = Web1, MinRevision = write.Revision });

        Assert.True(answer.Allowed);
        Assert.Equal(write.Revision, answer.Revision);
    }

    [Fact]
    public async Task Check_MinRevisionNotReachedBeforeDeadline_IsUnavailable()
    {
        var current = await _server.Authz.CheckAsync(new CheckRequest { UserId = "bob", Permission = "audit:read" });
        var request = new CheckRequest { UserId = "bob", Permission = "audit:read", MinRevision = current.Revision + 1000 };

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _server.Authz.CheckAsync(request, deadline: DateTime.UtcNow.AddMilliseconds(300)).ResponseAsync);

        Assert.Contains(error.StatusCode, new[] { StatusCode.Unavailable, StatusCode.DeadlineExceeded });
    }

    private static CheckRequest Tunnel(string device, uint port) => new()
    {
        UserId = "bob",
        Permission = "remote-access:connect",
        DeviceId = device,
        RemoteAccess = new RemoteAccess { Action = RemoteAccessAction.Tunnel, Proto = "tcp", Port = port, Dst = "localhost" },
    };
}
