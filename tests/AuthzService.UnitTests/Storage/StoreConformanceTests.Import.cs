using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Changes;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.Service.UnitTests.Domain;

namespace Qbee.Authz.Service.UnitTests.Storage;

/// <summary>
/// ImportAccount in the store: a new account at revision 1, a replaced one at its revision + 1, each one change set
/// that the applier and the patcher bring the rows and the snapshot before it to exactly what the store then holds;
/// refusals change nothing.
/// </summary>
public abstract partial class StoreConformanceTests
{
    [StoreFact]
    public async Task ImportAccountAsync_NewAccount_IsRevisionOneAndItsChangeSetBuildsTheRowsFromNothing()
    {
        await using var temp = await CreateStoreAsync();

        var revision = await temp.Store.ImportAccountAsync(Import("acme", replace: false, ImportedContent()), Samples.Audit("admin.import_account"), Ct);

        Assert.Equal(1, revision);
        var rows = (await temp.Store.LoadAccountAsync("acme", Ct))!;
        var changeSet = Assert.Single((await temp.Store.ReadChangeSetsAsync("acme", 0, 10, Ct))!.ChangeSets);
        Assert.Equal((rows.Account.Version, 0L), (changeSet.Version, changeSet.PreviousStamp));
        Assert.Equal(ChangeChain.Normalized(rows), ChangeChain.Normalized(ChangeSetApplier.Apply(null, changeSet)));
        Assert.Equal(["default", "ops"], rows.Roles.Select(r => r.RoleId).Order(StringComparer.Ordinal));
        Assert.Equal(7, rows.Nodes.Count);
    }

    [StoreFact]
    public async Task ImportAccountAsync_TagSettings_LaterInTheImportIsTheMoreRecentlyChanged()
    {
        await using var temp = await CreateStoreAsync();

        var revision = await temp.Store.ImportAccountAsync(Import("acme", replace: false, ImportedContent()), Samples.Audit("admin.import_account"), Ct);

        var settings = (await temp.Store.LoadAccountAsync("acme", Ct))!.RemoteAccessSettings.Where(s => s.TargetKind == RemoteAccessTarget.Tag);
        Assert.Equal([("prod", revision - 1), ("lab", revision)], settings.OrderBy(s => s.ChangedRevision).Select(s => (s.Target, s.ChangedRevision)));
    }

    [StoreFact]
    public async Task ImportAccountAsync_ReplaceAfterWritesOfEveryKind_ChangeSetBringsRowsAndSnapshotToWhatTheStoreHolds()
    {
        await using var temp = await CreateStoreAsync();
        var chain = await ChangeChain.StartAsync(temp);
        var store = temp.Store;
        await chain.StepAsync(() => store.PutNodesAsync("acme",
        [
            Samples.Group("acme", "g1", "", "site"), Samples.Group("acme", "g2", "g1"), Samples.Group("acme", "gone", "g1"),
            Samples.Group("acme", "emptied", ""), Samples.Device("acme", Samples.DeviceId(1), "g2", "lab"),
            Samples.Device("acme", Samples.DeviceId(2), "gone"), Samples.Device("acme", Samples.DeviceId(9), "emptied"),
        ], Audit(), Ct));
        await chain.StepAsync(() => store.PutRoleAsync(Samples.Role("acme", "old", "Old", new PolicyRecord("device:read", ["node:gone"])), Audit(), Ct));
        await chain.StepAsync(() => store.PutUsersAsync("acme", [Samples.User("acme", "u1", null, "old"), Samples.User("acme", "u-gone", null, "old")], Audit(), Ct));
        await chain.StepAsync(() => store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Node, "gone", true, Audit(), Ct));
        await chain.StepAsync(() => store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Tag, "lab", false, Audit(), Ct));
        await chain.StepAsync(() => store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Tag, "old-tag", true, Audit(), Ct));
        var before = (await store.LoadAccountAsync("acme", Ct))!;

        await chain.StepAsync(() => store.ImportAccountAsync(Import("acme", replace: true, ImportedContent()), Samples.Audit("admin.import_account"), Ct));

        await chain.AssertWholeLogAsync();
        var after = (await store.LoadAccountAsync("acme", Ct))!;
        Assert.Equal("acme imported", after.Account.Name);
        Assert.DoesNotContain(after.Users, u => u.UserId == "u-gone");
        var changeSet = Assert.Single((await store.ReadChangeSetsAsync("acme", before.Account.Revision, 10, Ct))!.ChangeSets);
        var patched = SnapshotPatcher.Apply(SnapshotCompiler.Compile(before, DateTimeOffset.UnixEpoch), changeSet, DateTimeOffset.UnixEpoch);
        var nodeIds = before.Nodes.Concat(after.Nodes).Select(n => n.NodeId);
        Assert.Equal(
            SnapshotProjection.Of(SnapshotCompiler.Compile(after, DateTimeOffset.UnixEpoch), nodeIds),
            SnapshotProjection.Of(patched.Snapshot, nodeIds));
        Assert.Contains("u-gone", patched.UsersWhoseRightsMayHaveShrunk);
        Assert.Contains("u-gone", ChangeSetRevocations.UsersWhoseRightsMayHaveShrunk(changeSet, patched.Snapshot));
    }

    [StoreFact]
    public async Task ImportAccountAsync_ExistingAccountWithoutReplace_IsAlreadyExistsAndChangesNothing()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");

        var refused = await temp.AssertRefusedAsync<AlreadyExistsException>(
            () => temp.Store.ImportAccountAsync(Import("acme", replace: false, ImportedContent()), Samples.Audit("admin.import_account"), Ct));

        Assert.StartsWith("account acme already exists", refused.Message);
    }

    [StoreFact]
    public async Task ImportAccountAsync_AUserAnotherAccountHolds_IsAlreadyExistsNamingTheRecordAndChangesNothing()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("other", "u1");

        var refused = await temp.AssertRefusedAsync<AlreadyExistsException>(
            () => temp.Store.ImportAccountAsync(Import("acme", replace: true, ImportedContent()), Samples.Audit("admin.import_account"), Ct));

        Assert.Equal("records[1].user.user_id: user_id u1 is taken", refused.Message);
    }

    [StoreFact]
    public async Task ImportAccountAsync_ADeviceAnotherAccountHolds_IsAlreadyExistsAndChangesNothing()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        await temp.CreateAccountAsync("other", "other-owner");
        await temp.Store.PutNodeAsync(Samples.Device("other", Samples.DeviceId(3)), Audit(), Ct);

        var refused = await temp.AssertRefusedAsync<AlreadyExistsException>(
            () => temp.Store.ImportAccountAsync(Import("acme", replace: true, ImportedContent()), Samples.Audit("admin.import_account"), Ct));

        Assert.Equal($"records[6].node.node_id: device_id {Samples.DeviceId(3)} is taken", refused.Message);
    }

    [StoreFact]
    public async Task ImportAccountAsync_ADeviceAnotherAccountCommitsWhileItImports_IsAlreadyExistsNamingTheRecord()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("other", "other-owner");

        var racing = await RaceAnotherAccountsDeviceAsync(temp, "other", Samples.DeviceId(3),
            () => temp.NewStore().ImportAccountAsync(Import("acme", replace: false, ImportedContent()), Samples.Audit("admin.import_account"), Ct));

        var refused = await Assert.ThrowsAsync<AlreadyExistsException>(() => racing);
        Assert.Equal($"records[6].node.node_id: device_id {Samples.DeviceId(3)} is taken", refused.Message);
        Assert.Null(await temp.Store.GetAccountAsync("acme", Ct));
    }

    [StoreFact]
    public async Task ImportAccountAsync_MoreRowsThanOneStatementTakes_StoresEveryRowAsGiven()
    {
        // Past PostgreSQL's 10,000 rows an array, and not a multiple of it.
        await using var temp = await CreateStoreAsync();
        var content = ImportedContent();
        var devices = Enumerable.Range(100, 10_050).Select(i => Samples.Device(
            "acme", Samples.DeviceId(i), i % 2 == 0 ? "g1" : Ids.UnassignedGroup, [.. Enumerable.Range(0, i % 4).Select(t => $"t{(i + t) % 7}")]))
            .ToList();
        content = content with { Nodes = [.. content.Nodes, .. devices] };

        await temp.Store.ImportAccountAsync(Import("acme", replace: false, content), Samples.Audit("admin.import_account"), Ct);

        var stored = (await temp.Store.LoadAccountAsync("acme", Ct))!.Nodes.ToDictionary(n => n.NodeId);
        Assert.Equal(content.Nodes.Count, stored.Count);
        foreach (var node in content.Nodes)
        {
            var row = stored[node.NodeId];
            Assert.Equal((node.Kind, node.ParentId, node.Title, node.AgentRemoteAccessDisabled), (row.Kind, row.ParentId, row.Title, row.AgentRemoteAccessDisabled));
            Assert.Equal(node.Tags, row.Tags);
        }
    }

    /// <summary>
    /// Roles default and ops; users u1 and u2; root (titled and tagged), unassigned_group, g1 > g2, devices 1 (moved
    /// up from g2 in the replace test), 3 and 9 (moved out of a group the replace deletes); settings on g1, then on
    /// tags prod and lab in that order.
    /// </summary>
    private static AccountData ImportedContent() => new(
        Samples.Account("acme") with { Name = "acme imported" },
        [Samples.DefaultRole("acme"), Samples.Role("acme", "ops", "Ops", new PolicyRecord("device:read", ["tag:lab", "node:g2"]))],
        [Samples.User("acme", "u1", null, "ops"), Samples.User("acme", "u2", "u2@example.com", "default", "ops")],
        [
            new NodeRecord("acme", Ids.Root, NodeKind.Group, "", "Everything", ["all"], false),
            new NodeRecord("acme", Ids.UnassignedGroup, NodeKind.Group, Ids.Root, Ids.UnassignedGroup, [], false),
            Samples.Group("acme", "g1", Ids.Root, "site"),
            Samples.Group("acme", "g2", "g1"),
            Samples.Device("acme", Samples.DeviceId(1), "g1", "lab", "prod"),
            Samples.Device("acme", Samples.DeviceId(3), "g2", "prod"),
            Samples.Device("acme", Samples.DeviceId(9), "g1") with { AgentRemoteAccessDisabled = true },
        ],
        [
            new RemoteAccessSettingRecord(RemoteAccessTarget.Node, "g1", true, 0),
            new RemoteAccessSettingRecord(RemoteAccessTarget.Tag, "prod", false, 0),
            new RemoteAccessSettingRecord(RemoteAccessTarget.Tag, "lab", true, 0),
        ]);

    /// <summary>As the import's validation hands it over: nodes parents first, each row named by its stream record.</summary>
    private static AccountImport Import(string accountId, bool replace, AccountData content) => new(
        content.Account with { AccountId = accountId },
        replace,
        content.Roles,
        content.Users,
        content.Nodes,
        content.RemoteAccessSettings,
        [.. content.Users.Select((_, i) => $"records[{1 + i}].user")],
        [.. content.Nodes.Select((_, i) => $"records[{1 + i}].node")],
        new AccountCounts(content.Roles.Count, content.Users.Count, content.Nodes.Count, content.RemoteAccessSettings.Count));
}
