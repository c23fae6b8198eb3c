using System.Data.Common;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.UnitTests.Storage;

public abstract partial class StoreConformanceTests
{
    private async Task<StoreHarness> WithAccountAsync()
    {
        var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        return temp;
    }

    private static async Task<NodeRecord> LoadNodeAsync(StoreHarness temp, string nodeId) =>
        (await temp.Store.LoadAccountAsync("acme", Ct))!.Nodes.Single(n => n.NodeId == nodeId);

    [StoreFact]
    public async Task PutNodeAsync_GroupWithoutParent_LandsUnderRoot()
    {
        await using var temp = await WithAccountAsync();

        var (node, revision) = await temp.Store.PutNodeAsync(Samples.Group("acme", "g1", "", "b", "a"), Samples.Audit("admin.PutNode"), Ct);

        Assert.Equal((Ids.Root, 2L), (node.ParentId, revision));
        var stored = await LoadNodeAsync(temp, "g1");
        Assert.Equal((NodeKind.Group, Ids.Root, "Group g1"), (stored.Kind, stored.ParentId, stored.Title));
        Assert.Equal(["b", "a"], stored.Tags);
    }

    [StoreFact]
    public async Task FindDeviceAccountIdAsync_DeviceOfAnAccount_NamesIt_AGroupOrUnknownIdNothing()
    {
        await using var temp = await WithAccountAsync();
        await temp.Store.PutNodeAsync(Samples.Group("acme", "g1"), Samples.Audit("admin.PutNode"), Ct);
        await temp.Store.PutNodeAsync(Samples.Device("acme", Device, "g1"), Samples.Audit("admin.PutNode"), Ct);

        Assert.Equal("acme", await temp.Store.FindDeviceAccountIdAsync(Device, Ct));
        Assert.Null(await temp.Store.FindDeviceAccountIdAsync("g1", Ct));
        Assert.Null(await temp.Store.FindDeviceAccountIdAsync(new string('f', 64), Ct));
    }

    [StoreTheory]
    [InlineData("")]
    [InlineData("not-there")]
    public async Task PutNodeAsync_DeviceWithEmptyOrMissingParent_LandsInUnassignedGroup(string parentId)
    {
        await using var temp = await WithAccountAsync();

        var (node, _) = await temp.Store.PutNodeAsync(Samples.Device("acme", Device, parentId), Samples.Audit("admin.PutNode"), Ct);

        Assert.Equal(Ids.UnassignedGroup, node.ParentId);
        Assert.Equal(Ids.UnassignedGroup, (await LoadNodeAsync(temp, Device)).ParentId);
    }

    [StoreFact]
    public async Task PutNodeAsync_MoveAndRetag_ReplacesParentTagsAndFlag()
    {
        await using var temp = await WithAccountAsync();
        await temp.Store.PutNodeAsync(Samples.Group("acme", "g1"), Samples.Audit("admin.PutNode"), Ct);
        await temp.Store.PutNodeAsync(Samples.Device("acme", Device, "", "x", "y"), Samples.Audit("admin.PutNode"), Ct);

        await temp.Store.PutNodeAsync(
            Samples.Device("acme", Device, "g1", "z") with { AgentRemoteAccessDisabled = true }, Samples.Audit("admin.PutNode"), Ct);

        var stored = await LoadNodeAsync(temp, Device);
        Assert.Equal(("g1", true), (stored.ParentId, stored.AgentRemoteAccessDisabled));
        Assert.Equal(["z"], stored.Tags);
    }

    [StoreFact]
    public async Task PutNodeAsync_GroupWithMissingParent_ThrowsNotFoundAndChangesNothing()
    {
        await using var temp = await WithAccountAsync();

        var error = await temp.AssertRefusedAsync<NotFoundException>(
            () => temp.Store.PutNodeAsync(Samples.Group("acme", "g1", "nope"), Samples.Audit("admin.PutNode"), Ct));
        Assert.StartsWith("parent_id nope", error.Message);
    }

    [StoreFact]
    public async Task PutNodeAsync_ParentIsDevice_ThrowsPreconditionFailedAndChangesNothing()
    {
        await using var temp = await WithAccountAsync();
        await temp.Store.PutNodeAsync(Samples.Device("acme", Device), Samples.Audit("admin.PutNode"), Ct);

        await temp.AssertRefusedAsync<PreconditionFailedException>(
            () => temp.Store.PutNodeAsync(Samples.Group("acme", "g1", Device), Samples.Audit("admin.PutNode"), Ct));
        await temp.AssertRefusedAsync<PreconditionFailedException>(
            () => temp.Store.PutNodeAsync(Samples.Device("acme", Samples.DeviceId(2), Device), Samples.Audit("admin.PutNode"), Ct));
    }

    [StoreFact]
    public async Task PutNodeAsync_KindChange_ThrowsPreconditionFailedAndChangesNothing()
    {
        await using var temp = await WithAccountAsync();
        await temp.Store.PutNodeAsync(Samples.Device("acme", Device), Samples.Audit("admin.PutNode"), Ct);

        await temp.AssertRefusedAsync<PreconditionFailedException>(
            () => temp.Store.PutNodeAsync(Samples.Group("acme", Device), Samples.Audit("admin.PutNode"), Ct));
    }

    [StoreFact]
    public async Task PutNodeAsync_RootWithParent_ThrowsPreconditionFailedAndChangesNothing()
    {
        await using var temp = await WithAccountAsync();
        await temp.Store.PutNodeAsync(Samples.Group("acme", "g1"), Samples.Audit("admin.PutNode"), Ct);

        await temp.AssertRefusedAsync<PreconditionFailedException>(
            () => temp.Store.PutNodeAsync(Samples.Group("acme", Ids.Root, "g1"), Samples.Audit("admin.PutNode"), Ct));
    }

    [StoreFact]
    public async Task PutNodeAsync_RootRetitledAndTagged_IsAccepted()
    {
        await using var temp = await WithAccountAsync();

        var (node, _) = await temp.Store.PutNodeAsync(Samples.Group("acme", Ids.Root, "", "all"), Samples.Audit("admin.PutNode"), Ct);

        Assert.Equal("", node.ParentId);
        Assert.Equal(["all"], (await LoadNodeAsync(temp, Ids.Root)).Tags);
    }

    [StoreFact]
    public async Task PutNodeAsync_UnassignedGroupMovedOffRoot_ThrowsPreconditionFailedAndChangesNothing()
    {
        await using var temp = await WithAccountAsync();
        await temp.Store.PutNodeAsync(Samples.Group("acme", "g1"), Samples.Audit("admin.PutNode"), Ct);

        await temp.AssertRefusedAsync<PreconditionFailedException>(
            () => temp.Store.PutNodeAsync(Samples.Group("acme", Ids.UnassignedGroup, "g1"), Samples.Audit("admin.PutNode"), Ct));
        var (node, _) = await temp.Store.PutNodeAsync(Samples.Group("acme", Ids.UnassignedGroup, Ids.Root), Samples.Audit("admin.PutNode"), Ct);
        Assert.Equal(Ids.Root, node.ParentId);
    }

    [StoreFact]
    public async Task PutNodeAsync_GroupUnderItselfOrDescendant_ThrowsPreconditionFailedAndChangesNothing()
    {
        await using var temp = await WithAccountAsync();
        await temp.Store.PutNodeAsync(Samples.Group("acme", "a"), Samples.Audit("admin.PutNode"), Ct);
        await temp.Store.PutNodeAsync(Samples.Group("acme", "b", "a"), Samples.Audit("admin.PutNode"), Ct);
        await temp.Store.PutNodeAsync(Samples.Group("acme", "c", "b"), Samples.Audit("admin.PutNode"), Ct);

        await temp.AssertRefusedAsync<PreconditionFailedException>(
            () => temp.Store.PutNodeAsync(Samples.Group("acme", "a", "a"), Samples.Audit("admin.PutNode"), Ct));
        await temp.AssertRefusedAsync<PreconditionFailedException>(
            () => temp.Store.PutNodeAsync(Samples.Group("acme", "a", "c"), Samples.Audit("admin.PutNode"), Ct));

        // Moving a subtree elsewhere is fine.
        var (node, _) = await temp.Store.PutNodeAsync(Samples.Group("acme", "c", "a"), Samples.Audit("admin.PutNode"), Ct);
        Assert.Equal("a", node.ParentId);
    }

    [StoreFact]
    public async Task PutNodeAsync_DeviceHeldByAnotherAccount_ThrowsAlreadyExistsNamingNoAccountAndChangesNothing()
    {
        await using var temp = await WithAccountAsync();
        await temp.CreateAccountAsync("globex", "globex-owner");
        await temp.Store.PutNodeAsync(Samples.Device("globex", Device), Samples.Audit("admin.PutNode"), Ct);

        var error = await temp.AssertRefusedAsync<AlreadyExistsException>(
            () => temp.Store.PutNodeAsync(Samples.Device("acme", Device), Samples.Audit("admin.PutNode"), Ct));

        Assert.Equal($"device_id {Device} is taken", error.Message);
        Assert.DoesNotContain("globex", error.Message, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task PutNodesAsync_OneDeviceHeldByAnotherAccount_ThrowsAlreadyExistsAndPutsNoneOfThem()
    {
        await using var temp = await WithAccountAsync();
        await temp.CreateAccountAsync("globex", "globex-owner");
        await temp.Store.PutNodeAsync(Samples.Device("globex", Device), Samples.Audit("admin.PutNode"), Ct);

        await temp.AssertRefusedAsync<AlreadyExistsException>(() => temp.Store.PutNodesAsync(
            "acme", [Samples.Group("acme", "g1"), Samples.Device("acme", Samples.DeviceId(2), "g1"), Samples.Device("acme", Device, "g1")],
            Samples.Audit("admin.PutNodes"), Ct));
    }

    [StoreFact]
    public async Task PutNodeAsync_DeviceAnotherAccountCommitsWhileItWrites_ThrowsAlreadyExistsAndChangesNothing()
    {
        // The race the up-front check cannot see: another account's write holds the device uncommitted while this
        // one checks, then commits; the unique index refuses this one's row, and the caller must hear ALREADY_EXISTS
        // as from the check (not a store failure).
        await using var temp = await WithAccountAsync();
        await temp.CreateAccountAsync("globex", "globex-owner");
        var racing = await RaceAnotherAccountsDeviceAsync(
            temp, "globex", Device, () => temp.NewStore().PutNodeAsync(Samples.Device("acme", Device), Samples.Audit("admin.PutNode"), Ct));

        var error = await Assert.ThrowsAsync<AlreadyExistsException>(() => racing);
        Assert.Equal($"device_id {Device} is taken", error.Message);
        Assert.Equal(1, await temp.RevisionAsync("acme"));
        Assert.DoesNotContain((await temp.Store.LoadAccountAsync("acme", Ct))!.Nodes, n => n.NodeId == Device);
        Assert.Contains((await temp.Store.LoadAccountAsync("globex", Ct))!.Nodes, n => n.NodeId == Device);
    }

    /// <summary>
    /// Starts <paramref name="write"/> while another writer holds <paramref name="deviceId"/> in
    /// <paramref name="holder"/>, uncommitted, and commits it once the write waits (past its checks, at the unique
    /// index): the race no up-front check sees. Returns the write's task.
    /// </summary>
    private static async Task<Task> RaceAnotherAccountsDeviceAsync(StoreHarness temp, string holder, string deviceId, Func<Task> write)
    {
        await using var other = await StoreTransaction.BeginAsync(temp.Connections, write: true, Ct);
        await other.ExecuteAsync(temp.Dialect.UpsertNode, new
        {
            AccountId = holder,
            NodeId = deviceId,
            Kind = (long)NodeKind.Device,
            ParentId = Ids.UnassignedGroup,
            Title = "",
            AgentRemoteAccessDisabled = false,
        });
        var racing = Task.Run(write);
        await temp.WaitUntilAWriterWaitsAsync();
        await other.CommitAsync();
        return racing;
    }

    [StoreFact]
    public async Task PutNodesAsync_SameDevicesFromTwoAccountsConcurrently_EachHeldOnceTheOthersAlreadyExists()
    {
        await using var temp = await WithAccountAsync();
        await temp.CreateAccountAsync("globex", "globex-owner");

        var claims = await Task.WhenAll(Enumerable.Range(0, 6).SelectMany(i => new[] { "acme", "globex" }.Select(account => Task.Run(async () =>
        {
            try
            {
                await temp.NewStore().PutNodesAsync(
                    account, [Samples.Device(account, Samples.DeviceId(100 + i)), Samples.Device(account, Samples.DeviceId(200 + i))],
                    Samples.Audit("admin.PutNodes"), Ct);
                return (Device: i, Holder: account);
            }
            catch (AlreadyExistsException)
            {
                return (Device: i, Holder: "");
            }
        }))));

        foreach (var device in claims.GroupBy(c => c.Device))
        {
            Assert.Single(device, c => c.Holder != "");
        }

        var acme = (await temp.Store.LoadAccountAsync("acme", Ct))!.Nodes.Count(n => n.Kind == NodeKind.Device);
        var globex = (await temp.Store.LoadAccountAsync("globex", Ct))!.Nodes.Count(n => n.Kind == NodeKind.Device);
        Assert.Equal(2 * 6, acme + globex);
    }

    [StoreFact]
    public async Task PutNodesAsync_ANodePutTwiceInOneRequest_KeepsItsLastFormAndTags()
    {
        await using var temp = await WithAccountAsync();
        await temp.Store.PutNodeAsync(Samples.Device("acme", Device, "", "old"), Samples.Audit("admin.PutNode"), Ct);

        var (nodes, _) = await temp.Store.PutNodesAsync("acme",
        [
            Samples.Group("acme", "g1"),
            Samples.Device("acme", Device, "", "a", "b"),
            Samples.Device("acme", Samples.DeviceId(2), "g1", "x"),
            Samples.Device("acme", Device, "g1", "c") with { Title = "last", AgentRemoteAccessDisabled = true },
            Samples.Device("acme", Samples.DeviceId(2), "g1", "y", "z"),
        ], Samples.Audit("admin.PutNodes"), Ct);

        Assert.Equal(5, nodes.Count);
        var device = await LoadNodeAsync(temp, Device);
        Assert.Equal(("g1", "last", true), (device.ParentId, device.Title, device.AgentRemoteAccessDisabled));
        Assert.Equal(["c"], device.Tags);
        Assert.Equal(["y", "z"], (await LoadNodeAsync(temp, Samples.DeviceId(2))).Tags);
    }

    [StoreFact]
    public async Task PutNodesAsync_NodeOfAnotherAccount_ThrowsInvalidFieldAndChangesNothing()
    {
        // The admin layer refuses it first; the store keeps the tenant boundary whoever calls it.
        await using var temp = await WithAccountAsync();
        await temp.CreateAccountAsync("globex", "globex-owner");

        var refused = await temp.AssertRefusedAsync<InvalidFieldException>(() => temp.Store.PutNodesAsync(
            "acme", [Samples.Group("acme", "g1"), Samples.Device("globex", Device, "root")], Samples.Audit("admin.PutNodes"), Ct));

        Assert.Equal("nodes[1].account_id", refused.Field);
        Assert.Contains("belongs to account globex, not acme", refused.Message, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task PutNodeAsync_DeviceDeletedFromItsAccount_CanBePutInAnother()
    {
        await using var temp = await WithAccountAsync();
        await temp.CreateAccountAsync("globex", "globex-owner");
        await temp.Store.PutNodeAsync(Samples.Device("globex", Device), Samples.Audit("admin.PutNode"), Ct);

        await temp.Store.DeleteNodeAsync("globex", Device, Samples.Audit("admin.DeleteNode"), Ct);
        await temp.Store.PutNodeAsync(Samples.Device("acme", Device), Samples.Audit("admin.PutNode"), Ct);

        Assert.Equal(Ids.UnassignedGroup, (await LoadNodeAsync(temp, Device)).ParentId);
        Assert.DoesNotContain((await temp.Store.LoadAccountAsync("globex", Ct))!.Nodes, n => n.NodeId == Device);
    }

    [StoreFact]
    public async Task PutNodeAsync_DeviceAlreadyInTheSameAccount_IsUpdated()
    {
        await using var temp = await WithAccountAsync();
        await temp.Store.PutNodeAsync(Samples.Device("acme", Device, "", "a"), Samples.Audit("admin.PutNode"), Ct);

        await temp.Store.PutNodeAsync(Samples.Device("acme", Device, "", "b"), Samples.Audit("admin.PutNode"), Ct);

        Assert.Equal(["b"], (await LoadNodeAsync(temp, Device)).Tags);
    }

    [StoreFact]
    public async Task UniqueDeviceIndex_SecondAccountInsertedBehindTheCheck_IsRecognisedAsDeviceIdTaken()
    {
        // The index is the backstop for two writers that both passed the check: insert past the store, as the
        // second of them would, and see the engine's error mapped; the primary key's error is not.
        await using var temp = await WithAccountAsync();
        await temp.CreateAccountAsync("globex", "globex-owner");
        await temp.Store.PutNodeAsync(Samples.Device("globex", Device), Samples.Audit("admin.PutNode"), Ct);
        const string Insert = "INSERT INTO nodes (account_id, node_id, kind, parent_id, title, agent_remote_access_disabled) "
            + "VALUES ('acme', @NodeId, @Kind, 'root', '', @Disabled)";

        var device = await Assert.ThrowsAnyAsync<DbException>(
            () => temp.CountAsync(Insert, new { NodeId = Device, Kind = 2, Disabled = false }));
        var group = await Assert.ThrowsAnyAsync<DbException>(
            () => temp.CountAsync(Insert, new { NodeId = Ids.UnassignedGroup, Kind = 1, Disabled = false }));

        Assert.IsType(temp.EngineExceptionType, device);
        Assert.IsType(temp.EngineExceptionType, group);
        Assert.True(temp.Dialect.IsDeviceIdTaken(device), device.Message);
        Assert.False(temp.Dialect.IsDeviceIdTaken(group), group.Message);
    }

    /// <summary>g1 under root, g2 under g1, ... : group gN is at depth N.</summary>
    private static NodeRecord[] Chain(int groups, string prefix = "g") =>
        Enumerable.Range(1, groups).Select(i => Samples.Group("acme", $"{prefix}{i}", i == 1 ? Ids.Root : $"{prefix}{i - 1}")).ToArray();

    [StoreFact]
    public async Task PutNodesAsync_ChainOf32Groups_IsAcceptedWithADeviceAtTheBottom()
    {
        await using var temp = await WithAccountAsync();

        await temp.Store.PutNodesAsync("acme", [.. Chain(32), Samples.Device("acme", Device, "g32")], Samples.Audit("admin.PutNodes"), Ct);

        Assert.Equal("g32", (await LoadNodeAsync(temp, Device)).ParentId);
    }

    [StoreFact]
    public async Task PutNodesAsync_ChainOf33Groups_ThrowsInvalidFieldOnTheDeepNodeAndChangesNothing()
    {
        await using var temp = await WithAccountAsync();

        var error = await temp.AssertRefusedAsync<InvalidFieldException>(
            () => temp.Store.PutNodesAsync("acme", Chain(33), Samples.Audit("admin.PutNodes"), Ct));

        Assert.Equal("nodes[32].parent_id", error.Field);
        Assert.Contains("depth 33", error.Reason, StringComparison.Ordinal);
        Assert.Contains("at most 32", error.Reason, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task PutNodeAsync_GroupUnderDepth32_ThrowsInvalidFieldOnNodeParentId()
    {
        await using var temp = await WithAccountAsync();
        await temp.Store.PutNodesAsync("acme", Chain(32), Samples.Audit("admin.PutNodes"), Ct);

        var error = await temp.AssertRefusedAsync<InvalidFieldException>(
            () => temp.Store.PutNodeAsync(Samples.Group("acme", "g33", "g32"), Samples.Audit("admin.PutNode"), Ct));

        Assert.Equal("node.parent_id", error.Field);
        Assert.Contains("depth 33", error.Reason, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task PutNodeAsync_SubtreeMovedBelowTheLimit_ThrowsInvalidFieldNamingTheDepthItsBottomReaches()
    {
        // a1..a20 and b1..b13 (b13 at depth 13): b1 moved under a20 would put b13 at depth 20 + 13 = 33.
        await using var temp = await WithAccountAsync();
        await temp.Store.PutNodesAsync("acme", [.. Chain(20, "a"), .. Chain(13, "b")], Samples.Audit("admin.PutNodes"), Ct);

        var error = await temp.AssertRefusedAsync<InvalidFieldException>(
            () => temp.Store.PutNodeAsync(Samples.Group("acme", "b1", "a20"), Samples.Audit("admin.PutNode"), Ct));

        Assert.Equal("node.parent_id", error.Field);
        Assert.Contains("depth 21", error.Reason, StringComparison.Ordinal);
        Assert.Contains("depth 33", error.Reason, StringComparison.Ordinal);

        // One level less fits exactly.
        var (moved, _) = await temp.Store.PutNodeAsync(Samples.Group("acme", "b1", "a19"), Samples.Audit("admin.PutNode"), Ct);
        Assert.Equal("a19", moved.ParentId);
    }

    [StoreFact]
    public async Task PutNodesAsync_SubtreeMovedThenExtendedInOneRequest_CountsTheMoveOfEarlierNodes()
    {
        // b1..b2 moved under a30 in the request: b2 is then at depth 32, so a group under it (nodes[1]) is at 33.
        await using var temp = await WithAccountAsync();
        await temp.Store.PutNodesAsync("acme", [.. Chain(30, "a"), .. Chain(2, "b")], Samples.Audit("admin.PutNodes"), Ct);

        var error = await temp.AssertRefusedAsync<InvalidFieldException>(() => temp.Store.PutNodesAsync(
            "acme", [Samples.Group("acme", "b1", "a30"), Samples.Group("acme", "b3", "b2")], Samples.Audit("admin.PutNodes"), Ct));

        Assert.Equal("nodes[1].parent_id", error.Field);
        Assert.Contains("depth 33", error.Reason, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task PutNodeAsync_DeepGroupRetitledInPlace_IsAccepted()
    {
        await using var temp = await WithAccountAsync();
        await temp.Store.PutNodesAsync("acme", Chain(32), Samples.Audit("admin.PutNodes"), Ct);

        await temp.Store.PutNodeAsync(Samples.Group("acme", "g32", "g31", "new-tag"), Samples.Audit("admin.PutNode"), Ct);

        Assert.Equal(["new-tag"], (await LoadNodeAsync(temp, "g32")).Tags);
    }

    [StoreTheory]
    [InlineData("root")]
    [InlineData("unassigned_group")]
    public async Task DeleteNodeAsync_ReservedNode_ThrowsPreconditionFailedAndChangesNothing(string nodeId)
    {
        await using var temp = await WithAccountAsync();

        await temp.AssertRefusedAsync<PreconditionFailedException>(
            () => temp.Store.DeleteNodeAsync("acme", nodeId, Samples.Audit("admin.DeleteNode"), Ct));
    }

    [StoreFact]
    public async Task DeleteNodeAsync_Missing_ThrowsNotFoundAndChangesNothing()
    {
        await using var temp = await WithAccountAsync();

        await temp.AssertRefusedAsync<NotFoundException>(() => temp.Store.DeleteNodeAsync("acme", "g9", Samples.Audit("admin.DeleteNode"), Ct));
    }

    [StoreFact]
    public async Task DeleteNodeAsync_GroupWithChildren_ThrowsPreconditionFailedAndChangesNothing()
    {
        await using var temp = await WithAccountAsync();
        await temp.Store.PutNodeAsync(Samples.Group("acme", "g1"), Samples.Audit("admin.PutNode"), Ct);
        await temp.Store.PutNodeAsync(Samples.Device("acme", Device, "g1"), Samples.Audit("admin.PutNode"), Ct);

        await temp.AssertRefusedAsync<PreconditionFailedException>(() => temp.Store.DeleteNodeAsync("acme", "g1", Samples.Audit("admin.DeleteNode"), Ct));
    }

    [StoreFact]
    public async Task DeleteNodeAsync_DeviceWithTagsAndSetting_RemovesAllOfThem()
    {
        await using var temp = await WithAccountAsync();
        await temp.Store.PutNodeAsync(Samples.Device("acme", Device, "", "a", "b"), Samples.Audit("admin.PutNode"), Ct);
        await temp.Store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Node, Device, true, Samples.Audit("admin.SetRemoteAccess"), Ct);
        await temp.Store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Tag, "a", true, Samples.Audit("admin.SetRemoteAccess"), Ct);

        await temp.Store.DeleteNodeAsync("acme", Device, Samples.Audit("admin.DeleteNode"), Ct);

        var data = (await temp.Store.LoadAccountAsync("acme", Ct))!;
        Assert.DoesNotContain(data.Nodes, n => n.NodeId == Device);
        Assert.Equal(0, await temp.CountAsync("SELECT COUNT(*) FROM node_tags WHERE node_id = @Device", new { Device }));

        // A tag setting is not the node's: it stays.
        Assert.Equal(new RemoteAccessSettingRecord(RemoteAccessTarget.Tag, "a", true, 4), Assert.Single(data.RemoteAccessSettings));
    }

    [StoreFact]
    public async Task DeleteNodeAsync_EmptyGroup_RemovesIt()
    {
        await using var temp = await WithAccountAsync();
        await temp.Store.PutNodeAsync(Samples.Group("acme", "g1", "", "t"), Samples.Audit("admin.PutNode"), Ct);

        Assert.Equal(3, await temp.Store.DeleteNodeAsync("acme", "g1", Samples.Audit("admin.DeleteNode"), Ct));
        Assert.DoesNotContain((await temp.Store.LoadAccountAsync("acme", Ct))!.Nodes, n => n.NodeId == "g1");
    }

    [StoreFact]
    public async Task SetRemoteAccessAsync_SetThenClear_StoresChangedRevisionThenRemoves()
    {
        await using var temp = await WithAccountAsync();
        await temp.Store.PutNodeAsync(Samples.Group("acme", "g1"), Samples.Audit("admin.PutNode"), Ct);

        var enabledAt = await temp.Store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Node, "g1", true, Samples.Audit("admin.SetRemoteAccess"), Ct);
        var disabledAt = await temp.Store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Node, "g1", false, Samples.Audit("admin.SetRemoteAccess"), Ct);
        await temp.Store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Tag, "lab", true, Samples.Audit("admin.SetRemoteAccess"), Ct);

        var settings = (await temp.Store.LoadAccountAsync("acme", Ct))!.RemoteAccessSettings;
        Assert.Equal((3L, 4L), (enabledAt, disabledAt));
        Assert.Equal(
            [new RemoteAccessSettingRecord(RemoteAccessTarget.Node, "g1", false, 4), new RemoteAccessSettingRecord(RemoteAccessTarget.Tag, "lab", true, 5)],
            settings);

        Assert.Equal(6, await temp.Store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Node, "g1", null, Samples.Audit("admin.SetRemoteAccess"), Ct));
        Assert.Equal(7, await temp.Store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Node, "g1", null, Samples.Audit("admin.SetRemoteAccess"), Ct));
        Assert.Equal(RemoteAccessTarget.Tag, Assert.Single((await temp.Store.LoadAccountAsync("acme", Ct))!.RemoteAccessSettings).TargetKind);
    }

    [StoreFact]
    public async Task SetRemoteAccessAsync_MissingNode_ThrowsNotFoundAndChangesNothing()
    {
        await using var temp = await WithAccountAsync();

        await temp.AssertRefusedAsync<NotFoundException>(
            () => temp.Store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Node, "g9", true, Samples.Audit("admin.SetRemoteAccess"), Ct));
    }
}
