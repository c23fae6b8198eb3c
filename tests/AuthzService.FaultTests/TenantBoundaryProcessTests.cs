using Grpc.Core;
using Qbee.Authz.Service.FunctionalTests;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.FaultTests;

/// <summary>
/// Issue 14, findings 1 and 2, against the real process: a tenant cannot claim another tenant's device, and the
/// group tree stops at 32 groups below root.
/// </summary>
public sealed class TenantBoundaryProcessTests
{
    private static readonly string Device = Fleet.DeviceId(0xd);

    [Fact]
    public async Task PutNode_DeviceOfAccountB_IntoAccountA_IsAlreadyExistsAndAliceOfAIsNotGranted()
    {
        await using var service = await ServiceProcess.StartAsync();
        await service.Admin.CreateAccountAsync(Fleet.Account("a", "alice"));
        await service.Admin.CreateAccountAsync(Fleet.Account("b", "bob"));
        await service.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device("b", Device, "") });

        // Remote access on in A: the console check would be granted had the claim been taken.
        await service.Admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = "a", NodeId = "root", Setting = RemoteAccessSetting.Enabled });
        var claim = await Assert.ThrowsAsync<RpcException>(() =>
            service.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device("a", Device, "") }).ResponseAsync);
        var check = await service.Authz.CheckAsync(new CheckRequest
        {
            UserId = "alice", Permission = "remote-access:connect", DeviceId = Device,
            RemoteAccess = new RemoteAccess { Action = RemoteAccessAction.Console },
        });

        Assert.Equal(StatusCode.AlreadyExists, claim.StatusCode);
        Assert.Equal($"device_id {Device} is taken", claim.Status.Detail);
        Assert.False(check.Allowed, check.Message);
        Assert.Equal(DecisionReason.DeviceNotFound, check.Reason);
    }

    [Fact]
    public async Task PutNodes_ChainOf33Groups_IsInvalidArgumentAndNothingIsWritten()
    {
        await using var service = await ServiceProcess.StartAsync();
        var created = await service.Admin.CreateAccountAsync(Fleet.Account("a", "alice"));
        var chain = new PutNodesRequest { AccountId = "a" };
        chain.Nodes.AddRange(Enumerable.Range(1, 33).Select(i => Fleet.Group("a", $"g{i}", i == 1 ? "root" : $"g{i - 1}")));

        var refused = await Assert.ThrowsAsync<RpcException>(() => service.Admin.PutNodesAsync(chain).ResponseAsync);
        chain.Nodes.RemoveAt(32);
        var accepted = await service.Admin.PutNodesAsync(chain);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.StartsWith("nodes[32].parent_id: group g33 would be at depth 33", refused.Status.Detail);
        Assert.Equal(created.Revision + 1, accepted.Revision);
    }
}
