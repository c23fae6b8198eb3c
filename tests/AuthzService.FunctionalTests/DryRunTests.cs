using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.FunctionalTests;

/// <summary>
/// dry_run on every admin write, through gRPC: nothing changes (revision, audit, change log, every Check answer), a
/// refusal is the real write's, and the impact predicts what the real write then does, Check by Check.
/// </summary>
public sealed class DryRunTests : IAsyncLifetime
{
    private const string Acme = "acme";
    private static readonly string[] Devices = Enumerable.Range(1, 8).Select(Fleet.DeviceId).ToArray();
    private static readonly string[] Users = ["olivia", "bob", "carol", "dave", "erin", "frank", "gina"];
    private AuthzServer _server = null!;

    private AdminService.AdminServiceClient Admin => _server.Admin;

    public async Task InitializeAsync()
    {
        // In memory: each comparison sends its connect checks at once, each waiting on its audit commit, and a loaded
        // disk's slow fsync would refuse them.
        _server = await AuthzServer.StartAsync(dataDirectory: MemoryBackedDirectory.New());
        await Admin.CreateAccountAsync(Fleet.Account(Acme, "olivia"));
        await Admin.PutRoleAsync(new PutRoleRequest
        {
            Role = Fleet.Role(Acme, "ops", ("device:read", ["tag:prod"]), ("remote-access:connect", ["node:g1/console"]), ("billing:read", [])),
        });
        await Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "viewer", ("device:read", ["node:g2"]), ("reports:read", ["*"])) });
        await Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "spare", ("cve:read", [])) });
        var nodes = new PutNodesRequest { AccountId = Acme };
        nodes.Nodes.Add(Fleet.Group(Acme, "g1"));
        nodes.Nodes.Add(Fleet.Group(Acme, "g2"));
        nodes.Nodes.Add(Fleet.Group(Acme, "g3", "g2"));
        for (var i = 0; i < Devices.Length; i++)
        {
            nodes.Nodes.Add(Fleet.Device(Acme, Devices[i], (i % 3) switch { 0 => "g1", 1 => "g2", _ => "g3" }, i % 2 == 0 ? ["prod"] : ["lab"]));
        }

        await Admin.PutNodesAsync(nodes);
        var users = new PutUsersRequest { AccountId = Acme };
        users.Users.Add(Fleet.User(Acme, "bob", "ops"));
        users.Users.Add(Fleet.User(Acme, "carol", "ops", "viewer"));
        users.Users.Add(Fleet.User(Acme, "dave", "viewer"));
        var erin = Fleet.User(Acme, "erin", "ops");
        erin.Status = UserStatus.Disabled;
        users.Users.Add(erin);
        await Admin.PutUsersAsync(users);
        await Admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Acme, NodeId = "root", Setting = RemoteAccessSetting.Enabled });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task PutRole_DryRunThenWrite_ImpactPredictsTheChecks()
    {
        var role = Fleet.Role(Acme, "ops", ("device:read", ["tag:lab"]), ("remote-access:connect", ["node:g1"]), ("cve:read", []));

        var impact = await AssertPredictsAsync(async dry =>
        {
            var r = await Admin.PutRoleAsync(new PutRoleRequest { Role = role, DryRun = dry });
            return (r.Revision, r.Impact);
        });

        var bob = Assert.Single(impact.Users, u => u.UserId == "bob");
        Assert.Equal(["cve:read", "device:read", "remote-access:connect"], bob.PermissionsGained); // catalogue order
        Assert.Equal(["billing:read", "device:read"], bob.PermissionsLost);
        Assert.True(bob.SessionsRevoked);
        Assert.DoesNotContain(impact.Users, u => u.UserId is "dave" or "erin" or "olivia");
    }

    [Fact]
    public async Task DeleteRole_DryRunThenWrite_ImpactPredictsTheChecks()
    {
        var impact = await AssertPredictsAsync(async dry =>
        {
            var r = await Admin.DeleteRoleAsync(new DeleteRoleRequest { AccountId = Acme, RoleId = "spare", DryRun = dry });
            return (r.Revision, r.Impact);
        });

        Assert.Empty(impact.Users); // nobody holds it
    }

    [Fact]
    public async Task PutUser_DryRunThenWrite_ImpactPredictsTheChecks()
    {
        var impact = await AssertPredictsAsync(async dry =>
        {
            var r = await Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "dave", "ops"), DryRun = dry });
            return (r.Revision, r.Impact);
        });

        var dave = Assert.Single(impact.Users);
        Assert.Equal("dave", dave.UserId);
        Assert.True(dave.SessionsRevoked);
        var read = Assert.Single(dave.Permissions, p => p.Permission == "device:read");
        Assert.True(read.HeldBefore && read.HeldAfter);
    }

    [Fact]
    public async Task PutUsers_DryRunThenWrite_ImpactPredictsTheChecks()
    {
        var impact = await AssertPredictsAsync(async dry =>
        {
            var request = new PutUsersRequest { AccountId = Acme, DryRun = dry };
            request.Users.Add(Fleet.User(Acme, "frank", "viewer"));
            var erin = Fleet.User(Acme, "erin", "ops");
            request.Users.Add(erin); // enabled again
            var r = await Admin.PutUsersAsync(request);
            return (r.Revision, r.Impact);
        });

        var frank = Assert.Single(impact.Users, u => u.UserId == "frank");
        Assert.Equal(["device:read", "reports:read"], frank.PermissionsGained);
        Assert.Empty(frank.PermissionsLost);
        Assert.False(frank.SessionsRevoked);
        Assert.Contains(impact.Users, u => u.UserId == "erin");
    }

    [Fact]
    public async Task DeleteUser_DryRunThenWrite_ImpactPredictsTheChecks()
    {
        var impact = await AssertPredictsAsync(async dry =>
        {
            var r = await Admin.DeleteUserAsync(new DeleteUserRequest { AccountId = Acme, UserId = "carol", DryRun = dry });
            return (r.Revision, r.Impact);
        });

        var carol = Assert.Single(impact.Users);
        Assert.Empty(carol.PermissionsGained);
        Assert.Equal(["billing:read", "device:read", "remote-access:connect", "reports:read"], carol.PermissionsLost);
        Assert.True(carol.SessionsRevoked);
    }

    [Fact]
    public async Task PutNode_MoveAndRetag_DryRunThenWrite_ImpactPredictsTheChecks()
    {
        var impact = await AssertPredictsAsync(async dry =>
        {
            var r = await Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Devices[0], "g2", "lab"), DryRun = dry });
            return (r.Revision, r.Impact);
        });

        var bob = Assert.Single(impact.Users, u => u.UserId == "bob");
        var read = Assert.Single(bob.Permissions, p => p.Permission == "device:read");
        Assert.Equal([Devices[0]], read.DeviceIdsLost);
        Assert.Equal(1, bob.DevicesLost);
    }

    [Fact]
    public async Task PutNodes_NewGroupAndDevices_DryRunThenWrite_ImpactPredictsTheChecks()
    {
        await AssertPredictsAsync(async dry =>
        {
            var request = new PutNodesRequest { AccountId = Acme, DryRun = dry };
            request.Nodes.Add(Fleet.Group(Acme, "g4", "g1"));
            request.Nodes.Add(Fleet.Device(Acme, Devices[7], "g4", "prod"));
            request.Nodes.Add(Fleet.Device(Acme, Fleet.DeviceId(0x99), "g2", "prod"));
            var r = await Admin.PutNodesAsync(request);
            return (r.Revision, r.Impact);
        }, extraDevices: [Fleet.DeviceId(0x99)]);
    }

    [Fact]
    public async Task DeleteNode_DryRunThenWrite_ImpactPredictsTheChecks()
    {
        var impact = await AssertPredictsAsync(async dry =>
        {
            var r = await Admin.DeleteNodeAsync(new DeleteNodeRequest { AccountId = Acme, NodeId = Devices[1], DryRun = dry });
            return (r.Revision, r.Impact);
        });

        var olivia = Assert.Single(impact.Users, u => u.UserId == "olivia");
        Assert.Equal(1, olivia.DevicesLost);
        Assert.True(olivia.SessionsRevoked);
    }

    [Fact]
    public async Task SetRemoteAccess_DryRunThenWrite_ImpactPredictsTheChecks()
    {
        var impact = await AssertPredictsAsync(async dry =>
        {
            var r = await Admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Acme, NodeId = "g1", Setting = RemoteAccessSetting.Disabled, DryRun = dry });
            return (r.Revision, r.Impact);
        });

        var bob = Assert.Single(impact.Users, u => u.UserId == "bob");
        Assert.Equal(["remote-access:connect"], bob.PermissionsLost);
        Assert.Equal(3, bob.DevicesLost); // the devices of g1
    }

    [Fact]
    public async Task CreateAccount_DryRun_OwnerGainsEverything_AndNothingIsCreated()
    {
        var dry = await Admin.CreateAccountAsync(WithDryRun(Fleet.Account("initech", "peter")));

        Assert.Equal(0ul, dry.Revision);
        var peter = Assert.Single(dry.Impact.Users);
        Assert.Equal("peter", peter.UserId);
        Assert.Equal(PermissionCatalog.CanonicalNames, peter.PermissionsGained);
        Assert.Empty(peter.PermissionsLost);
        var missing = await Assert.ThrowsAsync<RpcException>(() => Admin.ListRolesAsync(new ListRolesRequest { AccountId = "initech" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Equal(1ul, (await Admin.CreateAccountAsync(Fleet.Account("initech", "peter"))).Revision);
    }

    [Fact]
    public async Task RealWrite_HasNoImpact()
    {
        var written = await Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "gina", "viewer") });

        Assert.Null(written.Impact);
    }

    [Theory]
    [InlineData("put_user_unknown_role")]
    [InlineData("put_user_taken_email")]
    [InlineData("put_role_taken_name")]
    [InlineData("delete_role_assigned")]
    [InlineData("put_node_cycle")]
    [InlineData("delete_node_not_empty")]
    [InlineData("set_remote_access_missing_node")]
    [InlineData("create_account_exists")]
    [InlineData("put_role_invalid")]
    public async Task RefusedDryRun_AnswersTheRealWritesStatus(string refusal)
    {
        Func<bool, Task> write = refusal switch
        {
            "put_user_unknown_role" => dry => Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "zed", "nope"), DryRun = dry }).ResponseAsync,
            "put_user_taken_email" => dry =>
            {
                var user = Fleet.User(Acme, "zed");
                user.Email = "BOB@example.com";
                return Admin.PutUserAsync(new PutUserRequest { User = user, DryRun = dry }).ResponseAsync;
            },
            "put_role_taken_name" => dry =>
            {
                var role = Fleet.Role(Acme, "other", ("cve:read", []));
                role.Name = "Role ops";
                return Admin.PutRoleAsync(new PutRoleRequest { Role = role, DryRun = dry }).ResponseAsync;
            },
            "delete_role_assigned" => dry => Admin.DeleteRoleAsync(new DeleteRoleRequest { AccountId = Acme, RoleId = "ops", DryRun = dry }).ResponseAsync,
            "put_node_cycle" => dry => Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(Acme, "g2", "g3"), DryRun = dry }).ResponseAsync,
            "delete_node_not_empty" => dry => Admin.DeleteNodeAsync(new DeleteNodeRequest { AccountId = Acme, NodeId = "g2", DryRun = dry }).ResponseAsync,
            "set_remote_access_missing_node" => dry => Admin.SetRemoteAccessAsync(
                new SetRemoteAccessRequest { AccountId = Acme, NodeId = "nowhere", Setting = RemoteAccessSetting.Enabled, DryRun = dry }).ResponseAsync,
            "create_account_exists" => dry => Admin.CreateAccountAsync(WithDryRun(Fleet.Account(Acme, "other"), dry)).ResponseAsync,
            _ => dry => Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "bad", ("device:reed", [])), DryRun = dry }).ResponseAsync,
        };

        var state = await StateAsync();
        var dryError = await Assert.ThrowsAsync<RpcException>(() => write(true));
        Assert.Equal(state, await StateAsync());
        var realError = await Assert.ThrowsAsync<RpcException>(() => write(false));

        Assert.Equal(realError.StatusCode, dryError.StatusCode);
        Assert.Equal(realError.Status.Detail, dryError.Status.Detail);
        Assert.NotEqual(StatusCode.OK, dryError.StatusCode);
    }

    [Fact]
    public async Task DryRun_MaxImpactUsers_TruncatesTheList()
    {
        await using var server = await AuthzServer.StartAsync(new Dictionary<string, string?> { ["Authz:Limits:MaxImpactUsers"] = "1" });
        await server.Admin.CreateAccountAsync(Fleet.Account(Acme, "olivia"));
        await server.Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "ops", ("cve:read", [])) });
        var users = new PutUsersRequest { AccountId = Acme };
        users.Users.Add(Fleet.User(Acme, "bob", "ops"));
        users.Users.Add(Fleet.User(Acme, "carol", "ops"));
        await server.Admin.PutUsersAsync(users);

        var dry = await server.Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "ops", ("cve:manage", [])), DryRun = true });

        Assert.True(dry.Impact.Truncated);
        Assert.Equal(2, dry.Impact.UsersTotal);
        Assert.Equal("bob", Assert.Single(dry.Impact.Users).UserId);
    }

    private static CreateAccountRequest WithDryRun(CreateAccountRequest request, bool dryRun = true)
    {
        request.DryRun = dryRun;
        return request;
    }

    /// <summary>
    /// The dry run changes nothing (revision, audit, change log, every Check), answers the store's revision, and its
    /// impact is what the real write then does: per user and permission, the devices where a Check turns (exactly,
    /// and a superset for remote-access:connect, which also counts a change of the actions allowed), held at all, and
    /// sessions_revoked for everyone who lost something (on a device that still exists, but for connect).
    /// </summary>
    private async Task<Impact> AssertPredictsAsync(Func<bool, Task<(ulong Revision, Impact Impact)>> write, string[]? extraDevices = null)
    {
        var devices = Devices.Concat(extraDevices ?? []).ToArray();
        var checksBefore = await ChecksAsync(devices);
        var state = await StateAsync();

        var (dryRevision, impact) = await write(true);

        Assert.Equal(state, await StateAsync());
        Assert.Equal(state.Revision, dryRevision);
        Assert.Equal(dryRevision, impact.Revision);
        Assert.False(impact.Truncated);
        Assert.Equal(impact.Users.Count, impact.UsersTotal);
        Assert.Equal(checksBefore, await ChecksAsync(devices));

        var (revision, realImpact) = await write(false);
        Assert.Equal(dryRevision + 1, revision);
        Assert.Null(realImpact);
        var checksAfter = await ChecksAsync(devices);

        foreach (var userId in Users)
        {
            var listed = impact.Users.SingleOrDefault(u => u.UserId == userId);
            var lostAny = false;
            foreach (var permission in PermissionCatalog.CanonicalNames)
            {
                var heldBefore = checksBefore[(userId, permission, "")];
                var heldAfter = checksAfter[(userId, permission, "")];
                // An account-wide permission ignores the device: held or not.
                var onDevices = PermissionCatalog.TryResolve(permission, out var p) && PermissionCatalog.IsRestrictable(p) ? devices : [];
                var gained = onDevices.Where(d => !checksBefore[(userId, permission, d)] && checksAfter[(userId, permission, d)]).Order(StringComparer.Ordinal).ToList();
                var lost = onDevices.Where(d => checksBefore[(userId, permission, d)] && !checksAfter[(userId, permission, d)]).Order(StringComparer.Ordinal).ToList();
                // WatchRevocations names a deleted device's connect holders only: a read of a device that is gone ends anyway.
                lostAny |= (heldBefore && !heldAfter) || lost.Any(d => permission == "remote-access:connect" || checksAfter[("olivia", "device:read", d)]);
                var said = listed?.Permissions.SingleOrDefault(p => p.Permission == permission);
                var context = $"{userId} {permission}";
                if (gained.Count == 0 && lost.Count == 0 && heldBefore == heldAfter)
                {
                    Assert.True(said is null || permission == "remote-access:connect", $"{context}: listed but unchanged");
                    continue;
                }

                Assert.True(said is not null, $"{context}: changed but not listed");
                Assert.True(heldBefore == said.HeldBefore && heldAfter == said.HeldAfter, $"{context}: held {said.HeldBefore}->{said.HeldAfter}, checks say {heldBefore}->{heldAfter}");
                if (permission == "remote-access:connect")
                {
                    Assert.Superset(gained.ToHashSet(), said.DeviceIdsGained.ToHashSet());
                    Assert.Superset(lost.ToHashSet(), said.DeviceIdsLost.ToHashSet());
                }
                else
                {
                    Assert.True(gained.SequenceEqual(said.DeviceIdsGained) && gained.Count == said.DevicesGained, $"{context}: gained {said}, checks say {string.Join(",", gained)}");
                    Assert.True(lost.SequenceEqual(said.DeviceIdsLost) && lost.Count == said.DevicesLost, $"{context}: lost {said}, checks say {string.Join(",", lost)}");
                }

                Assert.Equal(heldAfter && !heldBefore || said.DevicesGained > 0, listed!.PermissionsGained.Contains(permission));
                Assert.Equal(heldBefore && !heldAfter || said.DevicesLost > 0, listed.PermissionsLost.Contains(permission));
            }

            if (lostAny)
            {
                Assert.True(listed?.SessionsRevoked, $"{userId} lost a right but is not named for revocation");
            }
        }

        return impact;
    }

    /// <summary>Every user x permission, without a device and on every device.</summary>
    private async Task<Dictionary<(string User, string Permission, string Device), bool>> ChecksAsync(string[] devices)
    {
        var keys = (from user in Users
                    from permission in PermissionCatalog.CanonicalNames
                    from device in devices.Prepend("")
                    select (user, permission, device)).ToList();
        var answers = await Task.WhenAll(keys.Select(async k =>
            (await _server.Authz.CheckAsync(new CheckRequest { UserId = k.user, Permission = k.permission, DeviceId = k.device })).Allowed));
        return keys.Zip(answers).ToDictionary(p => p.First, p => p.Second);
    }

    /// <summary>What a dry run must leave as it found: the revision, the audit trail, the change log.</summary>
    private async Task<StoreState> StateAsync()
    {
        var roles = await Admin.ListRolesAsync(new ListRolesRequest { AccountId = Acme });
        var audit = await Admin.ListAuditEventsAsync(new ListAuditEventsRequest { AccountId = Acme, PageSize = 1000 });
        var log = await _server.Services.GetRequiredService<IAuthzStore>().ReadChangeSetsAsync(Acme, 0, 10_000, CancellationToken.None);
        return new StoreState(
            roles.Revision,
            string.Join(",", audit.Events.Select(e => e.EventId)),
            string.Join(",", log!.ChangeSets.Select(c => $"{c.Revision}:{c.Version.Stamp}")));
    }

    private sealed record StoreState(ulong Revision, string AuditEventIds, string ChangeLog);
}
