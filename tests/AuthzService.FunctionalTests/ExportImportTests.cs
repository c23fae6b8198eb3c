using Grpc.Core;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.V1;
using ProtoRecord = Qbee.Authz.V1.AccountRecord;

namespace Qbee.Authz.Service.FunctionalTests;

/// <summary>
/// ExportAccount and ImportAccount through gRPC against real servers: the round trip into another store answers every
/// decision alike, and each refusal names the record and stores nothing.
/// </summary>
public sealed class ExportImportTests : IAsyncLifetime
{
    private const string Acme = "acme";
    private static readonly string[] Devices = [.. Enumerable.Range(1, 6).Select(Fleet.DeviceId)];
    private AuthzServer _source = null!;
    private AuthzServer _target = null!;

    public async Task InitializeAsync()
    {
        _source = await AuthzServer.StartAsync();
        _target = await AuthzServer.StartAsync();
        await SeedAsync(_source.Admin);
    }

    public async Task DisposeAsync()
    {
        await _source.DisposeAsync();
        await _target.DisposeAsync();
    }

    [Fact]
    public async Task ExportAccount_StreamsAccountRolesUsersNodesSettingsThenEnd_AtOneRevision()
    {
        var revision = (await _source.Admin.ListRolesAsync(new ListRolesRequest { AccountId = Acme })).Revision;

        var records = await ExportAsync(_source, Acme);

        Assert.Equal(revision, records[0].Account.Revision);
        Assert.Equal("Account acme", records[0].Account.Name);
        var kinds = records.Select(r => r.RecordCase).ToList();
        Assert.Equal(kinds.OrderBy(k => k switch
        {
            ProtoRecord.RecordOneofCase.Account => 0,
            ProtoRecord.RecordOneofCase.Role => 1,
            ProtoRecord.RecordOneofCase.User => 2,
            ProtoRecord.RecordOneofCase.Node => 3,
            ProtoRecord.RecordOneofCase.RemoteAccess => 4,
            _ => 5,
        }), kinds);
        var nodes = records.Where(r => r.RecordCase == ProtoRecord.RecordOneofCase.Node).Select(r => r.Node).ToList();
        Assert.Equal(["root", "unassigned_group"], nodes.Take(2).Select(n => n.NodeId));
        Assert.All(nodes.Skip(1), (n, i) => Assert.Contains(n.ParentId, nodes.Take(i + 1).Select(p => p.NodeId)));
        var end = records[^1].End;
        Assert.Equal((3, 4, nodes.Count, 5), (end.Roles, end.Users, end.Nodes, end.RemoteAccess));

        // Tag settings in the order they were changed: "blue" was set after "red".
        Assert.Equal(["red", "blue"], records.Where(r => r.RemoteAccess?.Tag.Length > 0).Select(r => r.RemoteAccess.Tag));
    }

    [Fact]
    public async Task ExportAccount_UnknownAccount_IsNotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => ExportAsync(_source, "nope"));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task ExportAccount_InvalidAccountId_IsInvalidArgumentNamingIt()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => ExportAsync(_source, "bad id"));

        Assert.Equal((StatusCode.InvalidArgument, true), (error.StatusCode, error.Status.Detail.StartsWith("account_id: ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ImportAccount_IntoAnotherStore_EveryDecisionAndListingIsTheSame()
    {
        var records = await ExportAsync(_source, Acme);

        var imported = await ImportAsync(_target, records);

        Assert.Equal((Acme, 1ul), (imported.AccountId, imported.Revision));
        Assert.Equal(records[^1].End, imported.Counts);
        await AssertSameDecisionsAsync(_source, _target);
    }

    [Fact]
    public async Task ImportAccount_ExportOfTheImport_IsTheSameRecordsButTheRevision()
    {
        var records = await ExportAsync(_source, Acme);
        await ImportAsync(_target, records);

        var again = await ExportAsync(_target, Acme);

        Assert.Equal(1ul, again[0].Account.Revision);
        again[0].Account.Revision = records[0].Account.Revision;
        Assert.Equal(records, again);
    }

    [Fact]
    public async Task ImportAccount_ReplaceOverAChangedAccount_RestoresItAtTheNextRevision()
    {
        var backup = await ExportAsync(_source, Acme, replace: true);
        var admin = _source.Admin;
        await admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "mallory", "ops") });
        await admin.DeleteUserAsync(new DeleteUserRequest { AccountId = Acme, UserId = "dave" });
        await admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(Acme, "extra", "site") });
        await admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Fleet.DeviceId(99), "extra", "red") });
        await admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Acme, Tag = "red", Setting = RemoteAccessSetting.Clear });
        await admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Acme, Tag = "green", Setting = RemoteAccessSetting.Enabled });
        var changed = (await admin.ListRolesAsync(new ListRolesRequest { AccountId = Acme })).Revision;

        var restored = await ImportAsync(_source, backup);

        Assert.Equal(changed + 1, restored.Revision);
        var after = await ExportAsync(_source, Acme);
        Assert.Equal(restored.Revision, after[0].Account.Revision);
        after[0] = backup[0];
        Assert.Equal(backup.Skip(1), after.Skip(1));
        var mallory = await _source.Authz.CheckAsync(new CheckRequest { UserId = "mallory", Permission = "device:read", MinRevision = restored.Revision });
        Assert.Equal(DecisionReason.UserNotFound, mallory.Reason);

        // The device the restore removed is free again: another account may take it.
        await admin.CreateAccountAsync(Fleet.Account("initech", "peter"));
        await admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device("initech", Fleet.DeviceId(99), "") });
    }

    [Fact]
    public async Task ImportAccount_Replace_IsOneAuditEventWithTheRevision()
    {
        var backup = await ExportAsync(_source, Acme, replace: true);

        var restored = await ImportAsync(_source, backup);

        var events = await _source.Admin.ListAuditEventsAsync(new ListAuditEventsRequest { AccountId = Acme, PageSize = 1 });
        var audit = Assert.Single(events.Events);
        Assert.Equal(("admin.import_account", restored.Revision), (audit.Kind, audit.Revision));
        Assert.Contains("\"replace\": true", audit.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportAccount_ExistingAccountWithoutReplace_IsAlreadyExistsAndChangesNothing()
    {
        var records = await ExportAsync(_source, Acme);

        var error = await AssertRefusedAsync(_source, StatusCode.AlreadyExists, records);

        Assert.Contains("account acme already exists", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportAccount_FirstRecordNotTheAccount_IsInvalidArgument()
    {
        var records = await ExportAsync(_source, Acme);

        var error = await AssertRefusedAsync(_target, StatusCode.InvalidArgument, records.Skip(1));

        Assert.StartsWith("records[0]: the first record must be the account", error.Status.Detail);
    }

    [Fact]
    public async Task ImportAccount_EmptyStream_IsInvalidArgument()
    {
        var error = await AssertRefusedAsync(_target, StatusCode.InvalidArgument, []);

        Assert.StartsWith("records: ", error.Status.Detail);
    }

    [Fact]
    public async Task ImportAccount_ARecordOfAnotherAccount_IsInvalidArgumentNamingTheRecord()
    {
        var records = await ExportAsync(_source, Acme);
        var at = records.FindIndex(r => r.User?.UserId == "bob");
        records[at].User.AccountId = "initech";

        var error = await AssertRefusedAsync(_target, StatusCode.InvalidArgument, records);

        Assert.StartsWith($"records[{at}].user.account_id: must be empty or the import's account (acme)", error.Status.Detail);
    }

    [Fact]
    public async Task ImportAccount_RecordsWithoutAccountId_TakeTheAccounts()
    {
        var records = await ExportAsync(_source, Acme);
        foreach (var record in records.Skip(1))
        {
            record.Role?.AccountId = "";
            record.User?.AccountId = "";
            record.Node?.AccountId = "";
        }

        await ImportAsync(_target, records);

        await AssertSameDecisionsAsync(_source, _target);
    }

    [Fact]
    public async Task ImportAccount_ARowAWriteWouldRefuse_IsInvalidArgumentNamingTheRecordAndField()
    {
        var records = await ExportAsync(_source, Acme);
        var at = records.FindIndex(r => r.Role?.RoleId == "ops");
        records[at].Role.Policies[0].Resources.Add("tag:bad tag");

        var error = await AssertRefusedAsync(_target, StatusCode.InvalidArgument, records);

        Assert.StartsWith($"records[{at}].role.policies[0].resources[", error.Status.Detail);
    }

    [Fact]
    public async Task ImportAccount_AUserAnotherAccountHolds_IsAlreadyExistsNamingTheUserNotTheAccount()
    {
        var records = await ExportAsync(_source, Acme);
        await _target.Admin.CreateAccountAsync(Fleet.Account("initech", "bob"));
        var at = records.FindIndex(r => r.User?.UserId == "bob");

        var error = await AssertRefusedAsync(_target, StatusCode.AlreadyExists, records);

        Assert.Equal($"records[{at}].user.user_id: user_id bob is taken", error.Status.Detail);
    }

    [Fact]
    public async Task ImportAccount_AnEmailAnotherAccountHolds_IsAlreadyExistsNamingTheUser()
    {
        var records = await ExportAsync(_source, Acme);
        var owner = Fleet.Account("initech", "peter");
        owner.Owner.Email = "CAROL@example.com";
        await _target.Admin.CreateAccountAsync(owner);
        var at = records.FindIndex(r => r.User?.UserId == "carol");

        var error = await AssertRefusedAsync(_target, StatusCode.AlreadyExists, records);

        Assert.Equal($"records[{at}].user.email: email 'carol@example.com' of user carol is taken", error.Status.Detail);
    }

    [Fact]
    public async Task ImportAccount_ADeviceAnotherAccountHolds_IsAlreadyExists()
    {
        var records = await ExportAsync(_source, Acme);
        await _target.Admin.CreateAccountAsync(Fleet.Account("initech", "peter"));
        await _target.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device("initech", Devices[2], "") });
        var at = records.FindIndex(r => r.Node?.NodeId == Devices[2]);

        var error = await AssertRefusedAsync(_target, StatusCode.AlreadyExists, records);

        Assert.Equal($"records[{at}].node.node_id: device_id {Devices[2]} is taken", error.Status.Detail);
    }

    [Fact]
    public async Task ImportAccount_AGroupUnderAMissingParent_IsNotFoundNamingTheRecord()
    {
        var records = await ExportAsync(_source, Acme);
        var at = records.FindIndex(r => r.Node?.NodeId == "floor");
        records[at].Node.ParentId = "nowhere";

        var error = await AssertRefusedAsync(_target, StatusCode.NotFound, records);

        Assert.StartsWith($"records[{at}].node.parent_id: parent_id nowhere is not in the import", error.Status.Detail);
    }

    [Fact]
    public async Task ImportAccount_GroupsInACycle_IsFailedPrecondition()
    {
        var records = await ExportAsync(_source, Acme);
        var site = records.FindIndex(r => r.Node?.NodeId == "site");
        records[site].Node.ParentId = "floor";

        var error = await AssertRefusedAsync(_target, StatusCode.FailedPrecondition, records);

        Assert.Contains("form a cycle", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportAccount_ATreeDeeperThan32Groups_IsInvalidArgumentNamingTheDepth()
    {
        List<ProtoRecord> records = [new() { Account = new Account { AccountId = "deep", Name = "Deep" } }];
        for (var i = 1; i <= GroupTree.MaxDepth + 1; i++)
        {
            records.Add(new ProtoRecord { Node = Fleet.Group("deep", $"g{i}", i == 1 ? "root" : $"g{i - 1}") });
        }

        records.Add(new ProtoRecord { End = new ImportCounts { Nodes = GroupTree.MaxDepth + 1 } });

        var error = await AssertRefusedAsync(_target, StatusCode.InvalidArgument, records);

        Assert.Equal($"records[33].node.parent_id: group g33 would be at depth 33 below root; the tree is at most 32 groups deep", error.Status.Detail);
    }

    [Fact]
    public async Task ImportAccount_AUserWithARoleNotInTheImport_IsNotFound()
    {
        var records = await ExportAsync(_source, Acme);
        var at = records.FindIndex(r => r.User?.UserId == "bob");
        records[at].User.RoleIds.Add("ghost");

        var error = await AssertRefusedAsync(_target, StatusCode.NotFound, records);

        Assert.StartsWith($"records[{at}].user.role_ids[1]: role ghost", error.Status.Detail);
    }

    [Fact]
    public async Task ImportAccount_EndCountsDifferFromTheRecords_IsInvalidArgument()
    {
        var records = await ExportAsync(_source, Acme);
        var truncated = records.Where(r => r.User?.UserId != "carol").ToList();

        var error = await AssertRefusedAsync(_target, StatusCode.InvalidArgument, truncated);

        Assert.StartsWith($"records[{truncated.Count - 1}].end: says 3 roles, 4 users", error.Status.Detail);
    }

    [Fact]
    public async Task ImportAccount_ARecordAfterTheEnd_IsInvalidArgument()
    {
        var records = await ExportAsync(_source, Acme);
        records.Add(new ProtoRecord { User = Fleet.User(Acme, "late") });

        var error = await AssertRefusedAsync(_target, StatusCode.InvalidArgument, records);

        Assert.Equal($"records[{records.Count - 1}]: follows the end record", error.Status.Detail);
    }

    [Fact]
    public async Task ImportAccount_AUserListedTwice_IsInvalidArgumentNamingBoth()
    {
        var records = await ExportAsync(_source, Acme);
        var at = records.FindIndex(r => r.User?.UserId == "bob");
        var copy = records[at].Clone();
        copy.User.Email = "other@example.com";
        records.Insert(at + 1, copy);

        var error = await AssertRefusedAsync(_target, StatusCode.InvalidArgument, records);

        Assert.Equal($"records[{at + 1}].user.user_id: user 'bob' is listed twice (also records[{at}])", error.Status.Detail);
    }

    [Fact]
    public async Task ImportAccount_ReplaceOnALaterRecord_IsInvalidArgument()
    {
        var records = await ExportAsync(_source, Acme);
        records[1].Replace = true;

        var error = await AssertRefusedAsync(_target, StatusCode.InvalidArgument, records);

        Assert.StartsWith("records[1].replace: ", error.Status.Detail);
    }

    [Fact]
    public async Task ImportAccount_MoreRecordsThanTheLimit_IsInvalidArgument()
    {
        await using var small = await AuthzServer.StartAsync(new Dictionary<string, string?> { ["Authz:Limits:MaxImportRecords"] = "5" });
        var records = await ExportAsync(_source, Acme);

        var error = await AssertRefusedAsync(small, StatusCode.InvalidArgument, records);

        Assert.Equal("records: more than 5 records (Authz:Limits:MaxImportRecords)", error.Status.Detail);
    }

    [Fact]
    public async Task ImportAccount_MoreBytesThanTheLimit_IsInvalidArgument()
    {
        await using var small = await AuthzServer.StartAsync(new Dictionary<string, string?> { ["Authz:Limits:MaxImportBytes"] = "1024" });
        var records = await ExportAsync(_source, Acme);
        Assert.True(records.Sum(r => r.CalculateSize()) > 1024, "the export must be over the limit for this test");

        var error = await AssertRefusedAsync(small, StatusCode.InvalidArgument, records);

        Assert.Equal("records: more than 1024 bytes of records (Authz:Limits:MaxImportBytes)", error.Status.Detail);
    }

    [Fact]
    public async Task ImportAccount_AStreamThatBreaksOff_StoresNothing()
    {
        var records = await ExportAsync(_source, Acme);
        using var cancel = new CancellationTokenSource();
        var call = _target.Admin.ImportAccount(cancellationToken: cancel.Token);
        foreach (var record in records.Take(records.Count / 2))
        {
            await call.RequestStream.WriteAsync(record);
        }

        await cancel.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        var status = await _target.Admin.GetStatusAsync(new GetStatusRequest());
        Assert.Empty(status.Accounts);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => ExportAsync(_target, Acme))).StatusCode);
    }

    private static async Task SeedAsync(AdminService.AdminServiceClient admin)
    {
        await admin.CreateAccountAsync(Fleet.Account(Acme, "olivia"));
        await admin.PutRoleAsync(new PutRoleRequest
        {
            Role = Fleet.Role(Acme, "ops", ("device:read", ["tag:red", "node:floor"]), ("device:manage", ["tag:blue"]),
                ("remote-access:connect", ["tag:red/console", "node:site/tunnel(proto=tcp;port=22;dst=localhost)", "tag:blue/copy(direction=download;path=/var/log)"])),
        });
        await admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "viewer", ("device:read", []), ("audit:read", [])) });
        await admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(Acme, "root", "", "everywhere") });
        await admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(Acme, "site", "root", "red") });
        await admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(Acme, "floor", "site") });
        await admin.PutNodesAsync(new PutNodesRequest
        {
            AccountId = Acme,
            Nodes =
            {
                Fleet.Device(Acme, Devices[0], "floor", "red", "blue"),
                Fleet.Device(Acme, Devices[1], "floor", "blue", "red"),
                Fleet.Device(Acme, Devices[2], "site"),
                Fleet.Device(Acme, Devices[3], "", "red"),
                Fleet.Device(Acme, Devices[4], "floor", "blue"),
            },
        });
        var disabledAgent = Fleet.Device(Acme, Devices[5], "site", "red");
        disabledAgent.AgentRemoteAccessDisabled = true;
        await admin.PutNodeAsync(new PutNodeRequest { Node = disabledAgent });
        await admin.PutUsersAsync(new PutUsersRequest
        {
            AccountId = Acme,
            Users = { Fleet.User(Acme, "bob", "ops"), Fleet.User(Acme, "carol", "ops", "viewer"), Fleet.User(Acme, "dave", "viewer") },
        });
        var disabled = Fleet.User(Acme, "erin", "ops");
        disabled.Status = UserStatus.Disabled;
        await admin.PutUserAsync(new PutUserRequest { User = disabled });
        await admin.DeleteUserAsync(new DeleteUserRequest { AccountId = Acme, UserId = "erin" });
        await admin.PutUserAsync(new PutUserRequest { User = disabled });
        await admin.DeleteUserAsync(new DeleteUserRequest { AccountId = Acme, UserId = "olivia" });
        await admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "unused", ("billing:read", [])) });

        // Enabled at root, off on the floor, on again for one device; tags set red then blue: blue wins where both are.
        await admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Acme, NodeId = "root", Setting = RemoteAccessSetting.Enabled });
        await admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Acme, NodeId = "floor", Setting = RemoteAccessSetting.Disabled });
        await admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Acme, NodeId = Devices[4], Setting = RemoteAccessSetting.Enabled });
        await admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Acme, Tag = "red", Setting = RemoteAccessSetting.Enabled });
        await admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Acme, Tag = "blue", Setting = RemoteAccessSetting.Disabled });
        await admin.DeleteRoleAsync(new DeleteRoleRequest { AccountId = Acme, RoleId = "default" });
    }

    /// <summary>Every user x permission x device (and none), connect with each action, and the admin listings.</summary>
    private static async Task AssertSameDecisionsAsync(AuthzServer expected, AuthzServer actual)
    {
        var users = (await expected.Admin.ListUsersAsync(new ListUsersRequest { AccountId = Acme })).Users;
        List<RemoteAccess?> actions =
        [
            null,
            new() { Action = RemoteAccessAction.Console },
            new() { Action = RemoteAccessAction.Tunnel, Proto = "tcp", Port = 22, Dst = "localhost" },
            new() { Action = RemoteAccessAction.Copy, Direction = "download", Path = "/var/log/syslog" },
            new() { Action = RemoteAccessAction.Reload },
        ];
        var checks = new CheckBatchRequest();
        foreach (var user in users.Select(u => u.UserId).Append("nobody"))
        {
            foreach (var permission in PermissionCatalog.CanonicalNames)
            {
                foreach (var device in Devices.Append(Fleet.DeviceId(1000)).Append(""))
                {
                    foreach (var action in permission == "remote-access:connect" && device.Length > 0 ? actions : [null])
                    {
                        checks.Checks.Add(new CheckRequest { UserId = user, Permission = permission, DeviceId = device, RemoteAccess = action });
                    }
                }
            }
        }

        var want = await CheckAllAsync(expected, checks);
        var got = await CheckAllAsync(actual, checks);
        Assert.Contains(want, r => r.Allowed);
        Assert.Contains(want, r => r.Reason == DecisionReason.RemoteAccessDisabled);
        Assert.Equal(want.Count, got.Count);
        for (var i = 0; i < want.Count; i++)
        {
            Assert.True(want[i].Equals(got[i]), $"{checks.Checks[i]}: {want[i]} then {got[i]}");
        }

        var roles = await expected.Admin.ListRolesAsync(new ListRolesRequest { AccountId = Acme });
        var importedRoles = await actual.Admin.ListRolesAsync(new ListRolesRequest { AccountId = Acme });
        Assert.Equal(roles.Roles, importedRoles.Roles);
        Assert.Equal(users, (await actual.Admin.ListUsersAsync(new ListUsersRequest { AccountId = Acme })).Users);
        foreach (var nodeId in Devices.Concat(["root", "unassigned_group", "site", "floor"]))
        {
            var node = await expected.Admin.GetNodeAsync(new GetNodeRequest { AccountId = Acme, NodeId = nodeId });
            var imported = await actual.Admin.GetNodeAsync(new GetNodeRequest { AccountId = Acme, NodeId = nodeId });
            Assert.Equal(node.Node, imported.Node);
        }
    }

    /// <summary>The answers without their revisions (the stores differ in those), in request order.</summary>
    private static async Task<List<CheckResponse>> CheckAllAsync(AuthzServer server, CheckBatchRequest checks)
    {
        var results = new List<CheckResponse>();
        foreach (var chunk in checks.Checks.Chunk(1000))
        {
            var batch = new CheckBatchRequest();
            batch.Checks.AddRange(chunk);
            var response = await server.Authz.CheckBatchAsync(batch);
            results.AddRange(response.Results.Select(r =>
            {
                r.Revision = 0;
                return r;
            }));
        }

        return results;
    }

    private static async Task<List<ProtoRecord>> ExportAsync(AuthzServer server, string accountId, bool replace = false)
    {
        using var call = server.Admin.ExportAccount(new ExportAccountRequest { AccountId = accountId, Replace = replace });
        var records = new List<ProtoRecord>();
        await foreach (var record in call.ResponseStream.ReadAllAsync())
        {
            records.Add(record);
        }

        return records;
    }

    private static async Task<ImportAccountResponse> ImportAsync(AuthzServer server, IEnumerable<ProtoRecord> records)
    {
        using var call = server.Admin.ImportAccount();
        try
        {
            foreach (var record in records)
            {
                await call.RequestStream.WriteAsync(record);
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            // The server refused a record and ended the call while we were still writing: its status is the answer.
        }

        return await call;
    }

    /// <summary>The import is refused with <paramref name="expected"/>, and the store's accounts and audit did not change.</summary>
    private static async Task<RpcException> AssertRefusedAsync(AuthzServer server, StatusCode expected, IEnumerable<ProtoRecord> records)
    {
        var before = await server.Admin.GetStatusAsync(new GetStatusRequest());
        var error = await Assert.ThrowsAsync<RpcException>(() => ImportAsync(server, records));
        Assert.Equal(expected, error.StatusCode);
        var after = await server.Admin.GetStatusAsync(new GetStatusRequest());
        Assert.Equal(before.Accounts.Select(a => (a.AccountId, a.Revision)), after.Accounts.Select(a => (a.AccountId, a.Revision)));
        return error;
    }
}
