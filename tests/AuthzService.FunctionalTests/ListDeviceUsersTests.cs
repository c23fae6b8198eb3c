using Grpc.Core;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.FunctionalTests;

/// <summary>AuthorizationService.ListDeviceUsers through gRPC against the real server: answers, paging and errors.</summary>
public sealed class ListDeviceUsersTests : IAsyncLifetime
{
    private const string Acme = "acme";
    private static readonly string Web1 = Fleet.DeviceId(1);
    private static readonly string Web2 = Fleet.DeviceId(2);
    private static readonly string Db1 = Fleet.DeviceId(3);
    private static readonly string Lab1 = Fleet.DeviceId(4);
    private static readonly string Foreign = Fleet.DeviceId(99);
    private AuthzServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await AuthzServer.StartAsync();
        var admin = _server.Admin;
        await admin.CreateAccountAsync(Fleet.Account(Acme, "olivia"));
        await admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(Acme, "prod") });
        await admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(Acme, "web", "prod") });
        await admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(Acme, "lab") });
        await admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Web1, "web", "nginx") });
        await admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Web2, "web") });
        await admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Db1, "prod", "postgres") });
        await admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Lab1, "lab", "nginx") });
        await admin.PutRoleAsync(new PutRoleRequest
        {
            Role = Fleet.Role(Acme, "support",
                ("device:read", ["tag:nginx", "node:web"]),
                ("remote-access:connect", ["node:web/tunnel(proto=tcp;port=8000-8100;dst=localhost)", "tag:postgres/console"])),
        });
        await admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "prod-admin", ("device:read", ["node:prod"]), ("remote-access:connect", ["node:prod"])) });
        await admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "bob", "support") });
        await admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "pia", "prod-admin") });
        await admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "carl", "support", "prod-admin") });
        var disabled = Fleet.User(Acme, "dora", "prod-admin");
        disabled.Status = UserStatus.Disabled;
        await admin.PutUserAsync(new PutUserRequest { User = disabled });
        await admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Acme, NodeId = "prod", Setting = RemoteAccessSetting.Enabled });
        await admin.CreateAccountAsync(Fleet.Account("globex", "gina"));
        await admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device("globex", Foreign, "") });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ListDeviceUsers_DeviceAlone_ListsTheActiveUsersWithTheirGrantInIdOrder()
    {
        var answer = await _server.Authz.ListDeviceUsersAsync(new ListDeviceUsersRequest { DeviceId = Web1, Permission = "device:read" });

        Assert.Equal(["bob", "carl", "olivia", "pia"], answer.Users.Select(u => u.UserId));
        var bob = answer.Users[0];
        Assert.Equal(("support", "tag:nginx", "bob@example.com"), (bob.RoleId, bob.Resource, bob.Email));
        Assert.Equal(("prod-admin", "node:prod"), (answer.Users[3].RoleId, answer.Users[3].Resource));
        Assert.Equal(DecisionReason.Granted, answer.Reason);
        Assert.Empty(answer.NextPageToken);
        Assert.True(answer.Revision > 0);
    }

    [Fact]
    public async Task ListDeviceUsers_EveryUserAndQuery_AgreesWithCheck()
    {
        var users = new[] { "bob", "carl", "dora", "olivia", "pia" };
        var queries = new (string Permission, RemoteAccess? RemoteAccess)[]
        {
            ("device:read", null),
            ("audit:read", null),
            ("remote-access:connect", null),
            ("remote-access:connect", new RemoteAccess { Action = RemoteAccessAction.Console }),
            ("remote-access:connect", new RemoteAccess { Action = RemoteAccessAction.Tunnel, Proto = "tcp", Port = 8080, Dst = "localhost" }),
        };
        var compared = 0;
        foreach (var device in new[] { Web1, Web2, Db1, Lab1 })
        {
            foreach (var (permission, remoteAccess) in queries)
            {
                var listed = await _server.Authz.ListDeviceUsersAsync(new ListDeviceUsersRequest
                {
                    DeviceId = device, Permission = permission, RemoteAccess = remoteAccess, PageSize = 2,
                });
                var all = listed.Users.ToList();
                while (listed.NextPageToken.Length > 0)
                {
                    listed = await _server.Authz.ListDeviceUsersAsync(new ListDeviceUsersRequest
                    {
                        DeviceId = device, Permission = permission, RemoteAccess = remoteAccess, PageSize = 2, PageToken = listed.NextPageToken,
                    });
                    all.AddRange(listed.Users);
                }

                foreach (var user in users)
                {
                    var check = await _server.Authz.CheckAsync(new CheckRequest { UserId = user, Permission = permission, DeviceId = device, RemoteAccess = remoteAccess });
                    var entry = all.SingleOrDefault(u => u.UserId == user);
                    var context = $"{user} {permission} {remoteAccess} on {device}";
                    Assert.True(check.Allowed == (entry is not null), context);
                    if (entry is not null)
                    {
                        Assert.Equal((check.RoleId, check.Resource, check.Restricted), (entry.RoleId, entry.Resource, entry.Restricted));
                    }

                    compared++;
                }
            }
        }

        Assert.Equal(4 * 5 * 5, compared);
    }

    [Fact]
    public async Task ListDeviceUsers_ConnectWhereRemoteAccessIsOff_IsEmptyWithTheReasonAndItsCause()
    {
        var answer = await _server.Authz.ListDeviceUsersAsync(new ListDeviceUsersRequest { DeviceId = Lab1, Permission = "remote-access:connect" });
        var read = await _server.Authz.ListDeviceUsersAsync(new ListDeviceUsersRequest { DeviceId = Lab1, Permission = "device:read" });

        Assert.Empty(answer.Users);
        Assert.Equal(DecisionReason.RemoteAccessDisabled, answer.Reason);
        Assert.Contains("no setting enables remote access", answer.Message);
        Assert.Contains(Lab1, answer.Message);
        Assert.Equal(["bob", "carl", "olivia"], read.Users.Select(u => u.UserId));
    }

    [Fact]
    public async Task ListDeviceUsers_AgentDisabledRemoteAccess_SaysSo()
    {
        var device = Fleet.Device(Acme, Web2, "web");
        device.AgentRemoteAccessDisabled = true;
        var put = await _server.Admin.PutNodeAsync(new PutNodeRequest { Node = device });

        var answer = await _server.Authz.ListDeviceUsersAsync(new ListDeviceUsersRequest
        {
            DeviceId = Web2, Permission = "remote-access:connect", MinRevision = put.Revision,
        });

        Assert.Equal(DecisionReason.RemoteAccessDisabled, answer.Reason);
        Assert.Contains("--disable-remote-access", answer.Message);
        Assert.True(answer.Revision >= put.Revision);
    }

    [Fact]
    public async Task ListDeviceUsers_Group_CountsOnlyGrantsAtOrAboveIt()
    {
        var answer = await _server.Authz.ListDeviceUsersAsync(new ListDeviceUsersRequest { AccountId = Acme, NodeId = "web", Permission = "device:read" });
        var prod = await _server.Authz.ListDeviceUsersAsync(new ListDeviceUsersRequest { AccountId = Acme, NodeId = "prod", Permission = "device:read" });

        Assert.Equal(["bob", "carl", "olivia", "pia"], answer.Users.Select(u => u.UserId));
        Assert.Equal("node:web", answer.Users[0].Resource);
        Assert.Equal(["carl", "olivia", "pia"], prod.Users.Select(u => u.UserId));
    }

    [Fact]
    public async Task ListDeviceUsers_Pages_WithOpaqueTokensBoundToTheQuery()
    {
        var first = await _server.Authz.ListDeviceUsersAsync(new ListDeviceUsersRequest { DeviceId = Web1, Permission = "device:read", PageSize = 3 });
        var second = await _server.Authz.ListDeviceUsersAsync(new ListDeviceUsersRequest
        {
            DeviceId = Web1, Permission = "device:read", PageSize = 3, PageToken = first.NextPageToken,
        });
        var otherQuery = await Assert.ThrowsAsync<RpcException>(() => _server.Authz.ListDeviceUsersAsync(new ListDeviceUsersRequest
        {
            DeviceId = Web2, Permission = "device:read", PageSize = 3, PageToken = first.NextPageToken,
        }).ResponseAsync);

        Assert.Equal(["bob", "carl", "olivia"], first.Users.Select(u => u.UserId));
        Assert.Equal(["pia"], second.Users.Select(u => u.UserId));
        Assert.Empty(second.NextPageToken);
        Assert.Equal(StatusCode.InvalidArgument, otherQuery.StatusCode);
        Assert.StartsWith("page_token", otherQuery.Status.Detail);
    }

    [Fact]
    public async Task ListDeviceUsers_DeviceOfAnotherAccount_IsNotFoundLikeAnUnknownOne()
    {
        var mismatched = await Assert.ThrowsAsync<RpcException>(() => _server.Authz.ListDeviceUsersAsync(new ListDeviceUsersRequest
        {
            AccountId = Acme, DeviceId = Foreign, Permission = "device:read",
        }).ResponseAsync);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => _server.Authz.ListDeviceUsersAsync(new ListDeviceUsersRequest
        {
            AccountId = Acme, DeviceId = Fleet.DeviceId(12345), Permission = "device:read",
        }).ResponseAsync);
        var own = await _server.Authz.ListDeviceUsersAsync(new ListDeviceUsersRequest { DeviceId = Foreign, Permission = "device:read" });

        Assert.Equal(StatusCode.NotFound, mismatched.StatusCode);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(mismatched.Status.Detail.Replace(Foreign, "X"), unknown.Status.Detail.Replace(Fleet.DeviceId(12345), "X"));
        Assert.Equal(["gina"], own.Users.Select(u => u.UserId));
    }

    [Theory]
    [InlineData("", "", "nowhere", "device:read", "account_id")]
    [InlineData(Acme, "", "", "device:read", "device_id")]
    [InlineData(Acme, "1111111111111111111111111111111111111111111111111111111111111111", "web", "device:read", "device_id")]
    [InlineData("", "not-a-device", "", "device:read", "device_id")]
    [InlineData(Acme, "", "bad id!", "device:read", "node_id")]
    [InlineData("bad acct!", "", "web", "device:read", "account_id")]
    [InlineData(Acme, "", "web", "device:reed", "permission")]
    public async Task ListDeviceUsers_MalformedRequest_IsInvalidArgumentNamingTheField(string account, string device, string node, string permission, string field)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _server.Authz.ListDeviceUsersAsync(new ListDeviceUsersRequest
        {
            AccountId = account, DeviceId = device, NodeId = node, Permission = permission,
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(field, error.Status.Detail);
    }

    [Fact]
    public async Task ListDeviceUsers_UnknownPermission_HintsTheClosestName()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _server.Authz.ListDeviceUsersAsync(new ListDeviceUsersRequest
        {
            DeviceId = Web1, Permission = "device:reed",
        }).ResponseAsync);

        Assert.Contains("did you mean 'device:read'", error.Status.Detail);
    }

    [Theory]
    [InlineData("device:read", 0, 1001, "remote_access")]
    [InlineData("remote-access:connect", 70_000, 0, "remote_access.port")]
    [InlineData("device:read", 0, 1001, "page_size")]
    public async Task ListDeviceUsers_BadRemoteAccessOrPageSize_IsInvalidArgument(string permission, int port, int pageSize, string field)
    {
        var remoteAccess = field.StartsWith("remote_access", StringComparison.Ordinal)
            ? new RemoteAccess { Action = RemoteAccessAction.Tunnel, Port = (uint)port }
            : null;
        var error = await Assert.ThrowsAsync<RpcException>(() => _server.Authz.ListDeviceUsersAsync(new ListDeviceUsersRequest
        {
            DeviceId = Web1, Permission = permission, RemoteAccess = remoteAccess, PageSize = field == "page_size" ? pageSize : 0,
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(field, error.Status.Detail);
    }

    [Theory]
    [InlineData("", 5)]
    [InlineData("nosuch", 0)]
    public async Task ListDeviceUsers_UnknownDeviceOrAccount_IsNotFound(string account, int device)
    {
        var request = account.Length > 0
            ? new ListDeviceUsersRequest { AccountId = account, NodeId = "web", Permission = "device:read" }
            : new ListDeviceUsersRequest { DeviceId = Fleet.DeviceId(device + 1000), Permission = "device:read" };

        var error = await Assert.ThrowsAsync<RpcException>(() => _server.Authz.ListDeviceUsersAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task ListDeviceUsers_UnknownGroup_IsNotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _server.Authz.ListDeviceUsersAsync(new ListDeviceUsersRequest
        {
            AccountId = Acme, NodeId = "nowhere", Permission = "device:read",
        }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("node nowhere", error.Status.Detail);
    }

    [Fact]
    public async Task ListDeviceUsers_AfterAWrite_MinRevisionSeesIt()
    {
        var put = await _server.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "aaron", "support") });

        var answer = await _server.Authz.ListDeviceUsersAsync(new ListDeviceUsersRequest
        {
            AccountId = Acme, DeviceId = Web1, Permission = "device:read", MinRevision = put.Revision,
        });

        Assert.Equal("aaron", answer.Users[0].UserId);
        Assert.Equal("aaron@example.com", answer.Users[0].Email);
        Assert.True(answer.Revision >= put.Revision);
    }
}
