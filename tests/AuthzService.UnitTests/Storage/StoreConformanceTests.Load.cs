using System.Text.Json;
using Dapper;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.UnitTests.Storage;

public abstract partial class StoreConformanceTests
{
    [StoreFact]
    public async Task LoadAccountAsync_AfterWrites_ReturnsExactlyWhatWasWritten()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme", "owner", "owner@acme.example");
        await temp.CreateAccountAsync("globex", "gowner");
        var ops = Samples.Role("acme", "ops", "Ops", new PolicyRecord("remote-access:connect", ["tag:lab/tunnel(port=22)", "node:g1"]));
        var ann = new UserRecord("acme", "ann", "Ann@Example.com", "Ann", "Lee", ["ops", Ids.DefaultRoleId], UserState.Disabled);
        var g1 = Samples.Group("acme", "g1", Ids.Root, "lab", "eu");
        var device = Samples.Device("acme", Samples.DeviceId(7), "g1", "lab") with { AgentRemoteAccessDisabled = true };
        await temp.Store.PutRoleAsync(ops, Samples.Audit("admin.PutRole"), Ct);
        await temp.Store.PutUserAsync(ann, Samples.Audit("admin.PutUser"), Ct);
        await temp.Store.PutNodeAsync(g1, Samples.Audit("admin.PutNode"), Ct);
        await temp.Store.PutNodeAsync(device, Samples.Audit("admin.PutNode"), Ct);
        await temp.Store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Tag, "lab", true, Samples.Audit("admin.SetRemoteAccess"), Ct);
        await temp.Store.PutRoleAsync(Samples.Role("globex", "other"), Samples.Audit("admin.PutRole"), Ct);

        var data = (await temp.Store.LoadAccountAsync("acme", Ct))!;

        var expected = new AccountData(
            new AccountRecord("acme", "acme Inc.", 6, data.Account.Stamp), // random: its own test in SqlAuthzStoreAccountTests
            [Samples.DefaultRole("acme"), ops],
            [ann, Samples.User("acme", "owner", "owner@acme.example", Ids.DefaultRoleId)],
            [
                Samples.Device("acme", Samples.DeviceId(7), "g1", "lab") with { AgentRemoteAccessDisabled = true },
                g1,
                new NodeRecord("acme", Ids.Root, NodeKind.Group, "", Ids.Root, [], false),
                new NodeRecord("acme", Ids.UnassignedGroup, NodeKind.Group, Ids.Root, Ids.UnassignedGroup, [], false),
            ],
            [new RemoteAccessSettingRecord(RemoteAccessTarget.Tag, "lab", true, 6)]);

        // Records hold lists, which compare by reference: compare their JSON.
        Assert.Equal(JsonSerializer.Serialize(Sorted(expected)), JsonSerializer.Serialize(Sorted(data)));
    }

    [StoreFact]
    public async Task LoadAccountAsync_100kNodesWithTwoTagsEach_ReturnsEveryNodeWithItsTagsInOrder()
    {
        const int devices = 100_000;
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("big");
        await SeedDevicesAsync(temp, "big", devices);

        // Its speed is measured by bench/ (LoadAccountBenchmarks), not here.
        var data = (await temp.Store.LoadAccountAsync("big", Ct))!;

        Assert.Equal(devices + 2, data.Nodes.Count);
        var sample = data.Nodes.Single(n => n.NodeId == Samples.DeviceId(12345));
        Assert.Equal(["t12345", "site-5"], sample.Tags);
    }

    private static async Task SeedDevicesAsync(StoreHarness temp, string accountId, int devices)
    {
        // Seeded in bulk: 100k separate PutNode transactions would measure fsync, not the load.
        await using var connection = await temp.Connections.OpenAsync(Ct);
        await using var tx = await connection.BeginTransactionAsync(Ct);
        var ids = Enumerable.Range(0, devices).Select(Samples.DeviceId).ToList();
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO nodes (account_id, node_id, kind, parent_id, title, agent_remote_access_disabled) "
            + "VALUES (@AccountId, @NodeId, 2, 'unassigned_group', @NodeId, @Disabled)",
            ids.Select(id => new { AccountId = accountId, NodeId = id, Disabled = false }),
            tx,
            cancellationToken: Ct));
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO node_tags (account_id, node_id, tag, position) VALUES (@AccountId, @NodeId, @Tag, @Position)",
            ids.SelectMany((id, i) => new[]
            {
                new { AccountId = accountId, NodeId = id, Tag = $"t{i}", Position = 0 },
                new { AccountId = accountId, NodeId = id, Tag = $"site-{i % 10}", Position = 1 },
            }),
            tx,
            cancellationToken: Ct));
        await tx.CommitAsync(Ct);
    }

    private static AccountData Sorted(AccountData data) => data with
    {
        Roles = data.Roles.OrderBy(r => r.RoleId, StringComparer.Ordinal).ToList(),
        Users = data.Users.OrderBy(u => u.UserId, StringComparer.Ordinal).ToList(),
        Nodes = data.Nodes.OrderBy(n => n.NodeId, StringComparer.Ordinal).ToList(),
        RemoteAccessSettings = data.RemoteAccessSettings.OrderBy(s => s.TargetKind).ThenBy(s => s.Target, StringComparer.Ordinal).ToList(),
    };
}
