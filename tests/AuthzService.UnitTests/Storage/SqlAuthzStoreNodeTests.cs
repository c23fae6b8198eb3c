using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.UnitTests.Storage;

public sealed class SqlAuthzStoreNodeTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly string Device = Samples.DeviceId(1);

    private static async Task<TempSqliteStore> WithAccountAsync()
    {
        var temp = await TempSqliteStore.CreateAsync();
        await temp.CreateAccountAsync("acme");
        return temp;
    }

    private static async Task<NodeRecord> LoadNodeAsync(TempSqliteStore temp, string nodeId) =>
        (await temp.Store.LoadAccountAsync("acme", Ct))!.Nodes.Single(n => n.NodeId == nodeId);

    [Fact]
    public async Task PutNodeAsync_GroupWithoutParent_LandsUnderRoot()
    {
        await using var temp = await WithAccountAsync();

        var (node, revision) = await temp.Store.PutNodeAsync(Samples.Group("acme", "g1", "", "b", "a"), Samples.Audit("admin.PutNode"), Ct);

        Assert.Equal((Ids.Root, 2L), (node.ParentId, revision));
        var stored = await LoadNodeAsync(temp, "g1");
        Assert.Equal((NodeKind.Group, Ids.Root, "Group g1"), (stored.Kind, stored.ParentId, stored.Title));
        Assert.Equal(["b", "a"], stored.Tags);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-there")]
    public async Task PutNodeAsync_DeviceWithEmptyOrMissingParent_LandsInUnassignedGroup(string parentId)
    {
        await using var temp = await WithAccountAsync();

        var (node, _) = await temp.Store.PutNodeAsync(Samples.Device("acme", Device, parentId), Samples.Audit("admin.PutNode"), Ct);

        Assert.Equal(Ids.UnassignedGroup, node.ParentId);
        Assert.Equal(Ids.UnassignedGroup, (await LoadNodeAsync(temp, Device)).ParentId);
    }

    [Fact]
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

    [Fact]
    public async Task PutNodeAsync_GroupWithMissingParent_ThrowsNotFoundAndChangesNothing()
    {
        await using var temp = await WithAccountAsync();

        var error = await temp.AssertRefusedAsync<NotFoundException>(
            () => temp.Store.PutNodeAsync(Samples.Group("acme", "g1", "nope"), Samples.Audit("admin.PutNode"), Ct));
        Assert.StartsWith("parent_id nope", error.Message);
    }

    [Fact]
    public async Task PutNodeAsync_ParentIsDevice_ThrowsPreconditionFailedAndChangesNothing()
    {
        await using var temp = await WithAccountAsync();
        await temp.Store.PutNodeAsync(Samples.Device("acme", Device), Samples.Audit("admin.PutNode"), Ct);

        await temp.AssertRefusedAsync<PreconditionFailedException>(
            () => temp.Store.PutNodeAsync(Samples.Group("acme", "g1", Device), Samples.Audit("admin.PutNode"), Ct));
        await temp.AssertRefusedAsync<PreconditionFailedException>(
            () => temp.Store.PutNodeAsync(Samples.Device("acme", Samples.DeviceId(2), Device), Samples.Audit("admin.PutNode"), Ct));
    }

    [Fact]
    public async Task PutNodeAsync_KindChange_ThrowsPreconditionFailedAndChangesNothing()
    {
        await using var temp = await WithAccountAsync();
        await temp.Store.PutNodeAsync(Samples.Device("acme", Device), Samples.Audit("admin.PutNode"), Ct);

        await temp.AssertRefusedAsync<PreconditionFailedException>(
            () => temp.Store.PutNodeAsync(Samples.Group("acme", Device), Samples.Audit("admin.PutNode"), Ct));
    }

    [Fact]
    public async Task PutNodeAsync_RootWithParent_ThrowsPreconditionFailedAndChangesNothing()
    {
        await using var temp = await WithAccountAsync();
        await temp.Store.PutNodeAsync(Samples.Group("acme", "g1"), Samples.Audit("admin.PutNode"), Ct);

        await temp.AssertRefusedAsync<PreconditionFailedException>(
            () => temp.Store.PutNodeAsync(Samples.Group("acme", Ids.Root, "g1"), Samples.Audit("admin.PutNode"), Ct));
    }

    [Fact]
    public async Task PutNodeAsync_RootRetitledAndTagged_IsAccepted()
    {
        await using var temp = await WithAccountAsync();

        var (node, _) = await temp.Store.PutNodeAsync(Samples.Group("acme", Ids.Root, "", "all"), Samples.Audit("admin.PutNode"), Ct);

        Assert.Equal("", node.ParentId);
        Assert.Equal(["all"], (await LoadNodeAsync(temp, Ids.Root)).Tags);
    }

    [Fact]
    public async Task PutNodeAsync_UnassignedGroupMovedOffRoot_ThrowsPreconditionFailedAndChangesNothing()
    {
        await using var temp = await WithAccountAsync();
        await temp.Store.PutNodeAsync(Samples.Group("acme", "g1"), Samples.Audit("admin.PutNode"), Ct);

        await temp.AssertRefusedAsync<PreconditionFailedException>(
            () => temp.Store.PutNodeAsync(Samples.Group("acme", Ids.UnassignedGroup, "g1"), Samples.Audit("admin.PutNode"), Ct));
        var (node, _) = await temp.Store.PutNodeAsync(Samples.Group("acme", Ids.UnassignedGroup, Ids.Root), Samples.Audit("admin.PutNode"), Ct);
        Assert.Equal(Ids.Root, node.ParentId);
    }

    [Fact]
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

    [Fact]
    public async Task PutNodeAsync_InvalidDeviceIdOrDuplicateTag_ThrowsInvalidFieldAndChangesNothing()
    {
        await using var temp = await WithAccountAsync();

        var badId = await temp.AssertRefusedAsync<InvalidFieldException>(
            () => temp.Store.PutNodeAsync(Samples.Device("acme", new string('A', 64)), Samples.Audit("admin.PutNode"), Ct));
        var badTags = await temp.AssertRefusedAsync<InvalidFieldException>(
            () => temp.Store.PutNodeAsync(Samples.Group("acme", "g1", "", "t", "t"), Samples.Audit("admin.PutNode"), Ct));

        Assert.Equal(("node.node_id", "node.tags"), (badId.Field, badTags.Field));
    }

    [Theory]
    [InlineData("root")]
    [InlineData("unassigned_group")]
    public async Task DeleteNodeAsync_ReservedNode_ThrowsPreconditionFailedAndChangesNothing(string nodeId)
    {
        await using var temp = await WithAccountAsync();

        await temp.AssertRefusedAsync<PreconditionFailedException>(
            () => temp.Store.DeleteNodeAsync("acme", nodeId, Samples.Audit("admin.DeleteNode"), Ct));
    }

    [Fact]
    public async Task DeleteNodeAsync_Missing_ThrowsNotFoundAndChangesNothing()
    {
        await using var temp = await WithAccountAsync();

        await temp.AssertRefusedAsync<NotFoundException>(() => temp.Store.DeleteNodeAsync("acme", "g9", Samples.Audit("admin.DeleteNode"), Ct));
    }

    [Fact]
    public async Task DeleteNodeAsync_GroupWithChildren_ThrowsPreconditionFailedAndChangesNothing()
    {
        await using var temp = await WithAccountAsync();
        await temp.Store.PutNodeAsync(Samples.Group("acme", "g1"), Samples.Audit("admin.PutNode"), Ct);
        await temp.Store.PutNodeAsync(Samples.Device("acme", Device, "g1"), Samples.Audit("admin.PutNode"), Ct);

        await temp.AssertRefusedAsync<PreconditionFailedException>(() => temp.Store.DeleteNodeAsync("acme", "g1", Samples.Audit("admin.DeleteNode"), Ct));
    }

    [Fact]
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

    [Fact]
    public async Task DeleteNodeAsync_EmptyGroup_RemovesIt()
    {
        await using var temp = await WithAccountAsync();
        await temp.Store.PutNodeAsync(Samples.Group("acme", "g1", "", "t"), Samples.Audit("admin.PutNode"), Ct);

        Assert.Equal(3, await temp.Store.DeleteNodeAsync("acme", "g1", Samples.Audit("admin.DeleteNode"), Ct));
        Assert.DoesNotContain((await temp.Store.LoadAccountAsync("acme", Ct))!.Nodes, n => n.NodeId == "g1");
    }

    [Fact]
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

    [Fact]
    public async Task SetRemoteAccessAsync_MissingNode_ThrowsNotFoundAndChangesNothing()
    {
        await using var temp = await WithAccountAsync();

        await temp.AssertRefusedAsync<NotFoundException>(
            () => temp.Store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Node, "g9", true, Samples.Audit("admin.SetRemoteAccess"), Ct));
    }
}
