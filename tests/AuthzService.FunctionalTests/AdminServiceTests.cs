using Grpc.Core;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.FunctionalTests;

public sealed class AdminServiceTests : IAsyncLifetime
{
    private const string Acme = "acme";
    private static readonly string Device1 = Fleet.DeviceId(1);
    private AuthzServer _server = null!;

    private AdminService.AdminServiceClient Admin => _server.Admin;

    public async Task InitializeAsync()
    {
        _server = await AuthzServer.StartAsync();
        await Admin.CreateAccountAsync(Fleet.Account(Acme, "olivia"));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task CreateAccount_CreatesRootUnassignedDefaultRoleAndOwner()
    {
        var created = await Admin.CreateAccountAsync(Fleet.Account("initech", "peter"));

        Assert.Equal(1ul, created.Revision);
        Assert.Equal("default", created.DefaultRole.RoleId);
        Assert.Equal(27, created.DefaultRole.Policies.Count);
        Assert.All(created.DefaultRole.Policies, p => Assert.Empty(p.Resources));
        Assert.Equal(["default"], created.Owner.RoleIds);
        var root = await Admin.GetNodeAsync(new GetNodeRequest { AccountId = "initech", NodeId = "root" });
        var unassigned = await Admin.GetNodeAsync(new GetNodeRequest { AccountId = "initech", NodeId = "unassigned_group" });
        Assert.Equal(NodeType.Group, root.Node.Type);
        Assert.Equal("root", unassigned.Node.ParentId);
        var check = await _server.Authz.CheckAsync(new CheckRequest { UserId = "peter", Permission = "billing:manage" });
        Assert.True(check.Allowed);
    }

    [Fact]
    public async Task CreateAccount_Twice_IsAlreadyExists()
    {
        await AssertRejected(StatusCode.AlreadyExists, () => Admin.CreateAccountAsync(Fleet.Account(Acme, "other")).ResponseAsync);
    }

    [Fact]
    public async Task CreateAccount_InvalidAccountId_IsInvalidArgumentNamingIt()
    {
        var error = await AssertRejectedUnchanged(StatusCode.InvalidArgument, () => Admin.CreateAccountAsync(Fleet.Account("bad id", "owner")).ResponseAsync);

        Assert.StartsWith("account_id: ", error.Status.Detail);
    }

    [Fact]
    public async Task EveryWrite_BumpsTheRevisionByOne()
    {
        var before = await RevisionAsync();
        var role = await Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "ops", ("device:read", [])) });
        var user = await Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "bob", "ops") });
        var node = await Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Device1, "") });
        var setting = await Admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Acme, Tag = "x", Setting = RemoteAccessSetting.Enabled });
        var deleteUser = await Admin.DeleteUserAsync(new DeleteUserRequest { AccountId = Acme, UserId = "bob" });
        var deleteRole = await Admin.DeleteRoleAsync(new DeleteRoleRequest { AccountId = Acme, RoleId = "ops" });
        var deleteNode = await Admin.DeleteNodeAsync(new DeleteNodeRequest { AccountId = Acme, NodeId = Device1 });

        Assert.Equal(
            Enumerable.Range(1, 7).Select(i => before + (ulong)i),
            [role.Revision, user.Revision, node.Revision, setting.Revision, deleteUser.Revision, deleteRole.Revision, deleteNode.Revision]);
    }

    [Fact]
    public async Task PutRole_AliasIsStoredCanonical_AndListRolesReturnsIt()
    {
        await Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "logs", ("reports:markread", ["tag:a"])) });

        var roles = await Admin.ListRolesAsync(new ListRolesRequest { AccountId = Acme });

        var logs = Assert.Single(roles.Roles, r => r.RoleId == "logs");
        Assert.Equal("reports:acknowledge", logs.Policies[0].Permission);
        Assert.Equal(["tag:a"], logs.Policies[0].Resources);
    }

    [Theory]
    [InlineData("device:fly", "", "role.policies[0].permission")]
    [InlineData("audit:read", "tag:a", "role.policies[0].resources")]
    [InlineData("device:read", "tag:", "role.policies[0].resources[0]")]
    [InlineData("device:read", "tag:a/console", "role.policies[0].resources[0]")]
    [InlineData("remote-access:connect", "*/tunnel(port=0)", "role.policies[0].resources[0]")]
    [InlineData("remote-access:connect", "*/console(port=22)", "role.policies[0].resources[0]")]
    [InlineData("remote-access:connect", "*/tunnel(port=22", "role.policies[0].resources[0]")]
    [InlineData("remote-access:connect", "*/copy(path=/a;path=/b)", "role.policies[0].resources[0]")]
    public async Task PutRole_Malformed_IsInvalidArgumentNamingTheField_AndChangesNothing(string permission, string resource, string field)
    {
        var before = await RevisionAsync();
        var role = Fleet.Role(Acme, "bad", (permission, resource.Length > 0 ? [resource] : []));

        var error = await AssertRejected(StatusCode.InvalidArgument, () => Admin.PutRoleAsync(new PutRoleRequest { Role = role }).ResponseAsync);

        Assert.StartsWith(field, error.Status.Detail);
        Assert.Equal(before, await RevisionAsync());
        var roles = await Admin.ListRolesAsync(new ListRolesRequest { AccountId = Acme });
        Assert.DoesNotContain(roles.Roles, r => r.RoleId == "bad");
    }

    [Fact]
    public async Task PutRole_NameTakenInAccount_IsAlreadyExists()
    {
        var role = Fleet.Role(Acme, "copy", ("audit:read", []));
        role.Name = "Default";

        await AssertRejectedUnchanged(StatusCode.AlreadyExists, () => Admin.PutRoleAsync(new PutRoleRequest { Role = role }).ResponseAsync);
    }

    [Fact]
    public async Task DeleteRole_WhileAssigned_IsFailedPreconditionNamingTheUsers()
    {
        var error = await AssertRejectedUnchanged(StatusCode.FailedPrecondition, () =>
            Admin.DeleteRoleAsync(new DeleteRoleRequest { AccountId = Acme, RoleId = "default" }).ResponseAsync);

        Assert.Contains("olivia", error.Status.Detail);
    }

    [Fact]
    public async Task DeleteRole_Missing_IsNotFound()
    {
        await AssertRejectedUnchanged(StatusCode.NotFound, () =>
            Admin.DeleteRoleAsync(new DeleteRoleRequest { AccountId = Acme, RoleId = "ghost" }).ResponseAsync);
    }

    [Fact]
    public async Task PutUser_EmailTakenInAnyCase_IsAlreadyExists()
    {
        await Admin.CreateAccountAsync(Fleet.Account("globex", "gina"));
        var user = Fleet.User(Acme, "bob", "default");
        user.Email = "GINA@Example.com";

        await AssertRejectedUnchanged(StatusCode.AlreadyExists, () => Admin.PutUserAsync(new PutUserRequest { User = user }).ResponseAsync);
    }

    [Fact]
    public async Task PutUser_PlusAddress_IsADifferentEmail()
    {
        var user = Fleet.User(Acme, "olivia2", "default");
        user.Email = "olivia+org2@example.com";

        var stored = await Admin.PutUserAsync(new PutUserRequest { User = user });

        Assert.Equal("olivia+org2@example.com", stored.User.Email);
    }

    [Fact]
    public async Task PutUser_RoleOfAnotherAccount_IsNotFound()
    {
        await Admin.CreateAccountAsync(Fleet.Account("globex", "gina"));
        await Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role("globex", "theirs", ("audit:read", [])) });

        await AssertRejectedUnchanged(StatusCode.NotFound, () =>
            Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "bob", "theirs") }).ResponseAsync);
    }

    [Fact]
    public async Task PutUser_DuplicateRole_IsInvalidArgumentNamingIt_AndChangesNothing()
    {
        var error = await AssertRejectedUnchanged(StatusCode.InvalidArgument, () =>
            Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "ann", "default", "default") }).ResponseAsync);

        Assert.StartsWith("user.role_ids[1]: ", error.Status.Detail);
    }

    [Theory]
    [InlineData("bob@exаmple.com")] // Cyrillic 'а'
    [InlineData("bob")]
    [InlineData("bob@@example.com")]
    [InlineData("bob @example.com")]
    public async Task PutUser_MalformedEmail_IsInvalidArgument(string email)
    {
        var user = Fleet.User(Acme, "bob", "default");
        user.Email = email;

        var error = await AssertRejectedUnchanged(StatusCode.InvalidArgument, () => Admin.PutUserAsync(new PutUserRequest { User = user }).ResponseAsync);

        Assert.StartsWith("user.email", error.Status.Detail);
    }

    [Fact]
    public async Task DisabledUser_IsDeniedEverything_AndDeletedUserIsNotFound()
    {
        var user = Fleet.User(Acme, "bob", "default");
        user.Status = UserStatus.Disabled;
        await Admin.PutUserAsync(new PutUserRequest { User = user });
        var disabled = await _server.Authz.CheckAsync(new CheckRequest { UserId = "bob", Permission = "audit:read" });
        await Admin.DeleteUserAsync(new DeleteUserRequest { AccountId = Acme, UserId = "bob" });
        var deleted = await _server.Authz.CheckAsync(new CheckRequest { UserId = "bob", Permission = "audit:read" });

        Assert.Equal(DecisionReason.UserDisabled, disabled.Reason);
        Assert.Equal(DecisionReason.UserNotFound, deleted.Reason);
    }

    [Fact]
    public async Task DeleteUser_Missing_IsNotFound()
    {
        await AssertRejectedUnchanged(StatusCode.NotFound, () =>
            Admin.DeleteUserAsync(new DeleteUserRequest { AccountId = Acme, UserId = "ghost" }).ResponseAsync);
    }

    [Fact]
    public async Task PutNode_DeviceWithMissingParent_LandsInUnassignedGroup()
    {
        var stored = await Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Device1, "nowhere") });

        Assert.Equal("unassigned_group", stored.Node.ParentId);
    }

    [Theory]
    [InlineData("ABC")]
    [InlineData("0123")]
    public async Task PutNode_DeviceIdNotLowercaseHex64_IsInvalidArgument(string id)
    {
        var error = await AssertRejectedUnchanged(StatusCode.InvalidArgument, () =>
            Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, id, "") }).ResponseAsync);

        Assert.StartsWith("node.node_id", error.Status.Detail);
    }

    [Fact]
    public async Task PutNode_InvalidDeviceIdOrDuplicateTag_IsInvalidArgumentNamingTheField_AndChangesNothing()
    {
        var badId = await AssertRejectedUnchanged(StatusCode.InvalidArgument, () =>
            Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, new string('A', 64), "") }).ResponseAsync);
        var badTags = await AssertRejectedUnchanged(StatusCode.InvalidArgument, () =>
            Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(Acme, "g1", "", "t", "t") }).ResponseAsync);

        Assert.StartsWith("node.node_id: ", badId.Status.Detail);
        Assert.StartsWith("node.tags[1]: ", badTags.Status.Detail);
        await AssertRejected(StatusCode.NotFound, () => Admin.GetNodeAsync(new GetNodeRequest { AccountId = Acme, NodeId = "g1" }).ResponseAsync);
    }

    [Fact]
    public async Task PutNode_ParentIsADevice_IsFailedPrecondition()
    {
        await Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Device1, "") });

        await AssertRejectedUnchanged(StatusCode.FailedPrecondition, () =>
            Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(Acme, "g", Device1) }).ResponseAsync);
    }

    [Fact]
    public async Task PutNode_GroupUnderItsOwnDescendant_IsFailedPrecondition()
    {
        await Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(Acme, "a") });
        await Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(Acme, "b", "a") });

        await AssertRejectedUnchanged(StatusCode.FailedPrecondition, () =>
            Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(Acme, "a", "b") }).ResponseAsync);
        var a = await Admin.GetNodeAsync(new GetNodeRequest { AccountId = Acme, NodeId = "a" });
        Assert.Equal("root", a.Node.ParentId);
    }

    [Fact]
    public async Task PutNode_MovingRoot_IsFailedPrecondition()
    {
        await Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(Acme, "a") });

        await AssertRejectedUnchanged(StatusCode.FailedPrecondition, () =>
            Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(Acme, "root", "a") }).ResponseAsync);
    }

    [Fact]
    public async Task PutNodes_GroupAndItsDevicesInOneWrite_OneRevisionInOrder()
    {
        var before = await RevisionAsync();
        var request = new PutNodesRequest { AccountId = Acme };
        request.Nodes.Add(Fleet.Group(Acme, "site"));
        request.Nodes.Add(Fleet.Device(Acme, Fleet.DeviceId(1), "site", "x"));
        request.Nodes.Add(Fleet.Device(Acme, Fleet.DeviceId(2), ""));

        var written = await Admin.PutNodesAsync(request);

        Assert.Equal(before + 1, written.Revision);
        Assert.Equal(["site", "site", "unassigned_group"], written.Nodes.Select(n => n.NodeId == "site" ? "site" : n.ParentId));
        var check = await _server.Authz.CheckAsync(new CheckRequest { UserId = "olivia", Permission = "device:read", DeviceId = Fleet.DeviceId(1) });
        Assert.Equal(written.Revision, check.Revision);
        Assert.True(check.Allowed);
    }

    [Fact]
    public async Task PutUsers_SeveralUsersInOneWrite_OneRevisionInOrder_AndAnAuditEvent()
    {
        var before = await RevisionAsync();
        var request = new PutUsersRequest { AccountId = Acme };
        request.Users.Add(Fleet.User(Acme, "pam", "default"));
        request.Users.Add(Fleet.User(Acme, "quinn"));
        request.Users.Add(Fleet.User(Acme, "olivia", "default"));

        var written = await Admin.PutUsersAsync(request);

        Assert.Equal(before + 1, written.Revision);
        Assert.Equal(["pam", "quinn", "olivia"], written.Users.Select(u => u.UserId));
        var listed = await Admin.ListUsersAsync(new ListUsersRequest { AccountId = Acme });
        Assert.Equal(written.Revision, listed.Revision);
        Assert.Equal(["olivia", "pam", "quinn"], listed.Users.Select(u => u.UserId).Order(StringComparer.Ordinal));
        var check = await _server.Authz.CheckAsync(new CheckRequest { UserId = "pam", Permission = "billing:manage", MinRevision = written.Revision });
        Assert.Equal(written.Revision, check.Revision);
        Assert.True(check.Allowed);
        var audit = await Admin.ListAuditEventsAsync(new ListAuditEventsRequest { AccountId = Acme, PageSize = 1 });
        Assert.Equal(("admin.put_users", written.Revision), (audit.Events[0].Kind, audit.Events[0].Revision));
    }

    [Fact]
    public async Task PutUsers_OneBadUser_IsRejectedNamingIt_AndNothingIsWritten()
    {
        PutUsersRequest Users(params User[] users)
        {
            var request = new PutUsersRequest { AccountId = Acme };
            request.Users.AddRange(users);
            return request;
        }

        var badEmail = Fleet.User(Acme, "quinn");
        badEmail.Email = "not-an-email";
        var takenEmail = Fleet.User(Acme, "quinn");
        takenEmail.Email = (await Admin.ListUsersAsync(new ListUsersRequest { AccountId = Acme })).Users.Single(u => u.UserId == "olivia").Email.ToUpperInvariant();

        var malformed = await AssertRejectedUnchanged(StatusCode.InvalidArgument, () => Admin.PutUsersAsync(Users(Fleet.User(Acme, "pam"), badEmail)).ResponseAsync);
        var twice = await AssertRejectedUnchanged(StatusCode.InvalidArgument, () => Admin.PutUsersAsync(Users(Fleet.User(Acme, "pam"), Fleet.User(Acme, "pam"))).ResponseAsync);
        var otherAccount = await AssertRejectedUnchanged(StatusCode.InvalidArgument, () => Admin.PutUsersAsync(Users(Fleet.User(Acme, "pam"), Fleet.User("beta", "quinn"))).ResponseAsync);
        await AssertRejectedUnchanged(StatusCode.InvalidArgument, () => Admin.PutUsersAsync(Users()).ResponseAsync);
        await AssertRejectedUnchanged(StatusCode.NotFound, () => Admin.PutUsersAsync(Users(Fleet.User(Acme, "pam"), Fleet.User(Acme, "quinn", "no-such-role"))).ResponseAsync);
        await AssertRejectedUnchanged(StatusCode.AlreadyExists, () => Admin.PutUsersAsync(Users(Fleet.User(Acme, "pam"), takenEmail)).ResponseAsync);

        Assert.StartsWith("users[1].email", malformed.Status.Detail);
        Assert.StartsWith("users[1].user_id", twice.Status.Detail);
        Assert.StartsWith("users[1].account_id", otherAccount.Status.Detail);
        Assert.DoesNotContain((await Admin.ListUsersAsync(new ListUsersRequest { AccountId = Acme })).Users, u => u.UserId == "pam");
    }

    [Fact]
    public async Task PutNodes_OneBadNode_IsRejectedNamingIt_AndNothingIsWritten()
    {
        var malformed = new PutNodesRequest { AccountId = Acme };
        malformed.Nodes.Add(Fleet.Group(Acme, "site"));
        malformed.Nodes.Add(Fleet.Device(Acme, "not-a-device", "site"));
        var conflicting = new PutNodesRequest { AccountId = Acme };
        conflicting.Nodes.Add(Fleet.Device(Acme, Fleet.DeviceId(1), ""));
        conflicting.Nodes.Add(Fleet.Group(Acme, "g", Fleet.DeviceId(1)));

        var error = await AssertRejectedUnchanged(StatusCode.InvalidArgument, () => Admin.PutNodesAsync(malformed).ResponseAsync);
        await AssertRejectedUnchanged(StatusCode.FailedPrecondition, () => Admin.PutNodesAsync(conflicting).ResponseAsync);

        Assert.StartsWith("nodes[1].node_id", error.Status.Detail);
        await AssertRejected(StatusCode.NotFound, () => Admin.GetNodeAsync(new GetNodeRequest { AccountId = Acme, NodeId = "site" }).ResponseAsync);
        await AssertRejected(StatusCode.NotFound, () => Admin.GetNodeAsync(new GetNodeRequest { AccountId = Acme, NodeId = Fleet.DeviceId(1) }).ResponseAsync);
    }

    [Fact]
    public async Task PutNode_DeviceOfAnotherAccount_IsAlreadyExistsNamingNoAccount_AndStaysOutOfReach()
    {
        // Remote access is on in both accounts: had the claim been taken, olivia's console check would be granted.
        await Admin.CreateAccountAsync(Fleet.Account("beta", "bob"));
        await Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device("beta", Device1, "") });
        await EnableRemoteAccessAsync(Acme);
        await EnableRemoteAccessAsync("beta");
        var claims = new PutNodesRequest { AccountId = Acme };
        claims.Nodes.Add(Fleet.Device(Acme, Fleet.DeviceId(2), ""));
        claims.Nodes.Add(Fleet.Device(Acme, Device1, ""));

        var single = await AssertRejectedUnchanged(StatusCode.AlreadyExists, () =>
            Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Device1, "") }).ResponseAsync);
        var bulk = await AssertRejectedUnchanged(StatusCode.AlreadyExists, () => Admin.PutNodesAsync(claims).ResponseAsync);

        Assert.Equal($"device_id {Device1} is taken", single.Status.Detail);
        Assert.Equal(single.Status.Detail, bulk.Status.Detail);
        Assert.Equal(DecisionReason.DeviceNotFound, (await _server.Authz.CheckAsync(Console("olivia", Device1))).Reason);
        Assert.Equal(DecisionReason.DeviceNotFound, (await _server.Authz.CheckAsync(Console("olivia", Fleet.DeviceId(2)))).Reason);
        Assert.Equal(DecisionReason.Granted, (await _server.Authz.CheckAsync(Console("bob", Device1))).Reason);
    }

    [Fact]
    public async Task DeleteThenPutNode_DeviceMovesToAnotherAccount()
    {
        await Admin.CreateAccountAsync(Fleet.Account("beta", "bob"));
        await Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device("beta", Device1, "") });
        await EnableRemoteAccessAsync(Acme);
        await EnableRemoteAccessAsync("beta");

        await Admin.DeleteNodeAsync(new DeleteNodeRequest { AccountId = "beta", NodeId = Device1 });
        var moved = await Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Device1, "") });

        Assert.Equal(Acme, moved.Node.AccountId);
        Assert.Equal(DecisionReason.Granted, (await _server.Authz.CheckAsync(Console("olivia", Device1))).Reason);
        Assert.Equal(DecisionReason.DeviceNotFound, (await _server.Authz.CheckAsync(Console("bob", Device1))).Reason);
    }

    [Fact]
    public async Task PutNodes_ChainOf33Groups_IsInvalidArgumentNamingTheDeepNodeAndTheDepth()
    {
        var chain = GroupChain(33);

        var error = await AssertRejectedUnchanged(StatusCode.InvalidArgument, () => Admin.PutNodesAsync(chain).ResponseAsync);

        Assert.StartsWith("nodes[32].parent_id: ", error.Status.Detail);
        Assert.Contains("depth 33", error.Status.Detail);
        await AssertRejected(StatusCode.NotFound, () => Admin.GetNodeAsync(new GetNodeRequest { AccountId = Acme, NodeId = "g1" }).ResponseAsync);
    }

    [Fact]
    public async Task PutNode_GroupMovedUnderDepth32_IsInvalidArgumentOnNodeParentId_DeviceThereIsFine()
    {
        await Admin.PutNodesAsync(GroupChain(32));
        await Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(Acme, "h") });
        var device = await Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Device1, "g32") });

        var move = await AssertRejectedUnchanged(StatusCode.InvalidArgument, () =>
            Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(Acme, "h", "g32") }).ResponseAsync);
        var put = await AssertRejectedUnchanged(StatusCode.InvalidArgument, () =>
            Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(Acme, "g33", "g32") }).ResponseAsync);

        Assert.Equal("g32", device.Node.ParentId);
        Assert.StartsWith("node.parent_id: group h would be at depth 33", move.Status.Detail);
        Assert.StartsWith("node.parent_id: group g33 would be at depth 33", put.Status.Detail);
        var h = await Admin.GetNodeAsync(new GetNodeRequest { AccountId = Acme, NodeId = "h" });
        Assert.Equal("root", h.Node.ParentId);
    }

    /// <summary>g1 under root, g2 under g1, ...: group gN at depth N.</summary>
    private static PutNodesRequest GroupChain(int groups)
    {
        var request = new PutNodesRequest { AccountId = Acme };
        request.Nodes.AddRange(Enumerable.Range(1, groups).Select(i => Fleet.Group(Acme, $"g{i}", i == 1 ? "root" : $"g{i - 1}")));
        return request;
    }

    private Task EnableRemoteAccessAsync(string accountId) =>
        Admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = accountId, NodeId = "root", Setting = RemoteAccessSetting.Enabled }).ResponseAsync;

    private static CheckRequest Console(string userId, string deviceId) => new()
    {
        UserId = userId, Permission = "remote-access:connect", DeviceId = deviceId,
        RemoteAccess = new RemoteAccess { Action = RemoteAccessAction.Console },
    };

    [Fact]
    public async Task PutNodes_EmptyOrOverTheLimit_IsInvalidArgument()
    {
        var tooMany = new PutNodesRequest { AccountId = Acme };
        tooMany.Nodes.AddRange(Enumerable.Range(0, 1001).Select(i => Fleet.Device(Acme, Fleet.DeviceId(i), "")));

        await AssertRejectedUnchanged(StatusCode.InvalidArgument, () => Admin.PutNodesAsync(new PutNodesRequest { AccountId = Acme }).ResponseAsync);
        await AssertRejectedUnchanged(StatusCode.InvalidArgument, () => Admin.PutNodesAsync(tooMany).ResponseAsync);
    }

    [Theory]
    [InlineData("root")]
    [InlineData("unassigned_group")]
    public async Task DeleteNode_ReservedGroup_IsFailedPrecondition(string node)
    {
        await AssertRejectedUnchanged(StatusCode.FailedPrecondition, () =>
            Admin.DeleteNodeAsync(new DeleteNodeRequest { AccountId = Acme, NodeId = node }).ResponseAsync);
    }

    [Fact]
    public async Task DeleteNode_GroupWithChildren_IsFailedPrecondition_EmptyGroupGoes()
    {
        await Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(Acme, "a") });
        await Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Device1, "a") });

        await AssertRejectedUnchanged(StatusCode.FailedPrecondition, () =>
            Admin.DeleteNodeAsync(new DeleteNodeRequest { AccountId = Acme, NodeId = "a" }).ResponseAsync);
        await Admin.DeleteNodeAsync(new DeleteNodeRequest { AccountId = Acme, NodeId = Device1 });
        await Admin.DeleteNodeAsync(new DeleteNodeRequest { AccountId = Acme, NodeId = "a" });
        await AssertRejected(StatusCode.NotFound, () => Admin.GetNodeAsync(new GetNodeRequest { AccountId = Acme, NodeId = "a" }).ResponseAsync);
    }

    [Fact]
    public async Task SetRemoteAccess_NodeAndTagTogetherOrNeither_IsInvalidArgument()
    {
        await AssertRejectedUnchanged(StatusCode.InvalidArgument, () => Admin.SetRemoteAccessAsync(
            new SetRemoteAccessRequest { AccountId = Acme, NodeId = "root", Tag = "x", Setting = RemoteAccessSetting.Enabled }).ResponseAsync);
        await AssertRejectedUnchanged(StatusCode.InvalidArgument, () => Admin.SetRemoteAccessAsync(
            new SetRemoteAccessRequest { AccountId = Acme, Setting = RemoteAccessSetting.Enabled }).ResponseAsync);
        await AssertRejectedUnchanged(StatusCode.InvalidArgument, () => Admin.SetRemoteAccessAsync(
            new SetRemoteAccessRequest { AccountId = Acme, NodeId = "root" }).ResponseAsync);
    }

    [Fact]
    public async Task SetRemoteAccess_MissingNode_IsNotFound()
    {
        await AssertRejectedUnchanged(StatusCode.NotFound, () => Admin.SetRemoteAccessAsync(
            new SetRemoteAccessRequest { AccountId = Acme, NodeId = "ghost", Setting = RemoteAccessSetting.Enabled }).ResponseAsync);
    }

    [Fact]
    public async Task SetRemoteAccess_OnRootThenClear_TurnsConnectOnAndOff()
    {
        await Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Device1, "") });
        var console = new CheckRequest
        {
            UserId = "olivia", Permission = "remote-access:connect", DeviceId = Device1,
            RemoteAccess = new RemoteAccess { Action = RemoteAccessAction.Console },
        };

        var off = await _server.Authz.CheckAsync(console);
        await Admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Acme, NodeId = "root", Setting = RemoteAccessSetting.Enabled });
        var on = await _server.Authz.CheckAsync(console);
        await Admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Acme, NodeId = "root", Setting = RemoteAccessSetting.Clear });
        var cleared = await _server.Authz.CheckAsync(console);

        Assert.Equal(DecisionReason.RemoteAccessDisabled, off.Reason);
        Assert.True(on.Allowed);
        Assert.Equal(DecisionReason.RemoteAccessDisabled, cleared.Reason);
    }

    [Fact]
    public async Task WriteToMissingAccount_IsNotFound()
    {
        await AssertRejected(StatusCode.NotFound, () =>
            Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role("ghost", "r", ("audit:read", [])) }).ResponseAsync);
    }

    [Fact]
    public async Task ListAuditEvents_ReturnsAdminChangesNewestFirst_Paged()
    {
        await Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "ops", ("device:read", [])) });
        var headers = new Metadata { { "x-request-id", "req-42" } };
        await Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "bob", "ops") }, headers);

        var first = await Admin.ListAuditEventsAsync(new ListAuditEventsRequest { AccountId = Acme, PageSize = 2 });
        var rest = await Admin.ListAuditEventsAsync(new ListAuditEventsRequest { AccountId = Acme, PageSize = 2, PageToken = first.NextPageToken });

        Assert.Equal(["admin.put_user", "admin.put_role"], first.Events.Select(e => e.Kind));
        Assert.Equal("req-42", first.Events[0].RequestId);
        Assert.Equal("bob", first.Events[0].UserId);
        Assert.Equal(["admin.create_account"], rest.Events.Select(e => e.Kind));
        Assert.Empty(rest.NextPageToken);
    }

    [Fact]
    public async Task RemoteAccessDecisions_AreAudited_AllowedAndDenied()
    {
        await Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Device1, "") });
        await Admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Acme, NodeId = "root", Setting = RemoteAccessSetting.Enabled });
        var tunnel = new RemoteAccess { Action = RemoteAccessAction.Tunnel, Proto = "tcp", Port = 22, Dst = "localhost" };
        await _server.Authz.CheckAsync(new CheckRequest { UserId = "olivia", Permission = "remote-access:connect", DeviceId = Device1, RemoteAccess = tunnel });
        await Admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Acme, NodeId = Device1, Setting = RemoteAccessSetting.Disabled });
        await _server.Authz.CheckAsync(new CheckRequest { UserId = "olivia", Permission = "remote-access:connect", DeviceId = Device1, RemoteAccess = tunnel });

        // Decisions are written off the hot path: stopping the service drains the queue into the store.
        await _server.RestartAsync();
        var events = await Admin.ListAuditEventsAsync(new ListAuditEventsRequest { AccountId = Acme, DeviceId = Device1 });

        var decisions = events.Events.Where(e => e.Kind == "remote_access.check").ToList();
        Assert.Equal([false, true], decisions.Select(e => e.Allowed));
        Assert.Equal(DecisionReason.RemoteAccessDisabled, decisions[0].Reason);
        Assert.Equal(22u, decisions[1].RemoteAccess.Port);
        Assert.Equal("default", decisions[1].RoleId);
    }

    [Fact]
    public async Task GetStatus_ReportsStoreAndAccountSnapshots()
    {
        var status = await Admin.GetStatusAsync(new GetStatusRequest());

        Assert.Equal("ok", status.Store.State);
        var acme = Assert.Single(status.Accounts, a => a.AccountId == Acme);
        Assert.Equal(acme.Revision, acme.SnapshotRevision);
        Assert.NotEmpty(status.Version);
    }

    [Fact]
    public async Task GetStatus_ReportsEachSnapshotLoadedWithItsEstimatedSize()
    {
        var before = Assert.Single((await Admin.GetStatusAsync(new GetStatusRequest())).Accounts, a => a.AccountId == Acme);
        for (var i = 1; i <= 50; i++)
        {
            await Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Fleet.DeviceId(i), "") });
        }

        var after = Assert.Single((await Admin.GetStatusAsync(new GetStatusRequest())).Accounts, a => a.AccountId == Acme);

        Assert.True(before.Loaded);
        Assert.InRange(before.SnapshotBytes, 1_000, 1_000_000);
        Assert.True(after.SnapshotBytes > before.SnapshotBytes, $"{after.SnapshotBytes} after 50 devices vs {before.SnapshotBytes}");
    }

    [Fact]
    public async Task Restart_KeepsEverything_AndServesFromTheStore()
    {
        await Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "ops", ("device:read", ["tag:x"])) });
        var before = await RevisionAsync();

        await _server.RestartAsync();

        Assert.Equal(before, await RevisionAsync());
        var check = await _server.Authz.CheckAsync(new CheckRequest { UserId = "olivia", Permission = "device:read" });
        Assert.True(check.Allowed);
        Assert.Equal(before, check.Revision);
    }

    private async Task<ulong> RevisionAsync() => (await Admin.ListRolesAsync(new ListRolesRequest { AccountId = Acme })).Revision;

    private static async Task<RpcException> AssertRejected(StatusCode expected, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(expected, error.StatusCode);
        return error;
    }

    private async Task<RpcException> AssertRejectedUnchanged(StatusCode expected, Func<Task> call)
    {
        var before = await Admin.ListRolesAsync(new ListRolesRequest { AccountId = Acme });
        var users = await Admin.ListUsersAsync(new ListUsersRequest { AccountId = Acme });
        var audit = await Admin.ListAuditEventsAsync(new ListAuditEventsRequest { AccountId = Acme, PageSize = 1000 });
        var error = await AssertRejected(expected, call);
        var after = await Admin.ListRolesAsync(new ListRolesRequest { AccountId = Acme });
        var usersAfter = await Admin.ListUsersAsync(new ListUsersRequest { AccountId = Acme });
        var auditAfter = await Admin.ListAuditEventsAsync(new ListAuditEventsRequest { AccountId = Acme, PageSize = 1000 });
        Assert.Equal(before, after); // the revision too: ListRolesResponse carries it
        Assert.Equal(users, usersAfter);
        Assert.Equal(audit.Events, auditAfter.Events);
        return error;
    }
}
