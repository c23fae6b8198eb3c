using Grpc.Core;
using Microsoft.Data.Sqlite;
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
        var chain = Chain("a", 33);

        var refused = await Assert.ThrowsAsync<RpcException>(() => service.Admin.PutNodesAsync(chain).ResponseAsync);
        chain.Nodes.RemoveAt(32);
        var accepted = await service.Admin.PutNodesAsync(chain);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.StartsWith("nodes[32].parent_id: group g33 would be at depth 33", refused.Status.Detail);
        Assert.Equal(created.Revision + 1, accepted.Revision);
    }

    [Fact]
    public async Task Restart_StoreHoldingADeviceInTwoAccounts_RefusesToStartListingItAndStaysAtVersion2()
    {
        // A store as schema version 2 left it (no unique index yet), where a claim had been taken.
        await using var service = await ServiceProcess.StartAsync();
        await service.Admin.CreateAccountAsync(Fleet.Account("a", "alice"));
        await service.Admin.CreateAccountAsync(Fleet.Account("b", "bob"));
        await service.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device("b", Device, "") });
        Assert.Equal(0, await service.StopAsync());
        await ExecuteAsync(service.DatabasePath,
            "DROP TABLE change_log; DROP INDEX ux_nodes_device_id; ALTER TABLE accounts DROP COLUMN revision_stamp; "
            + "DELETE FROM schema_migrations WHERE version >= 3; "
            + "INSERT INTO nodes (account_id, node_id, kind, parent_id, title, agent_remote_access_disabled) "
            + $"VALUES ('a', '{Device}', 2, 'unassigned_group', '', 0)");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => service.RestartAsync());

        Assert.False(service.IsRunning);
        Assert.Contains(service.LogLines, line => line.Contains("Start-up failed", StringComparison.Ordinal)
            && line.Contains($"{Device} (held by a, b)", StringComparison.Ordinal));
        Assert.Contains("did not start", refused.Message, StringComparison.Ordinal);
        Assert.Equal(2L, await ExecuteAsync(service.DatabasePath, "SELECT MAX(version) FROM schema_migrations"));
    }

    [Fact]
    public async Task Restart_StoreHoldingA33DeepTree_StartsWarnsAndNoGroupGrantReachesBelowDepth32()
    {
        // An older version accepted any depth: g1..g33 written past the API, a device under g33.
        await using var service = await ServiceProcess.StartAsync();
        await service.Admin.CreateAccountAsync(Fleet.Account("a", "alice"));
        await service.Admin.PutNodesAsync(Chain("a", 32));
        await service.Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role("a", "top", ("device:read", ["node:g1"])) });
        await service.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User("a", "carol", "top") });
        Assert.Equal(0, await service.StopAsync());
        await ExecuteAsync(service.DatabasePath,
            "INSERT INTO nodes (account_id, node_id, kind, parent_id, title, agent_remote_access_disabled) VALUES "
            + $"('a', 'g33', 1, 'g32', '', 0), ('a', '{Device}', 2, 'g33', '', 0)");

        await service.RestartAsync();
        var below = await service.Authz.CheckAsync(new CheckRequest { UserId = "carol", Permission = "device:read", DeviceId = Device });

        Assert.Equal(DecisionReason.DeviceOutOfScope, below.Reason);
        Assert.Contains(service.LogLines, line => line.Contains("1 nodes do not reach root", StringComparison.Ordinal)
            && line.Contains(": g33", StringComparison.Ordinal));
    }

    private static PutNodesRequest Chain(string accountId, int groups)
    {
        var chain = new PutNodesRequest { AccountId = accountId };
        chain.Nodes.AddRange(Enumerable.Range(1, groups).Select(i => Fleet.Group(accountId, $"g{i}", i == 1 ? "root" : $"g{i - 1}")));
        return chain;
    }

    private static async Task<long> ExecuteAsync(string databasePath, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }
}
