using Qbee.Authz.Samples.ApiService;
using Qbee.Authz.V1;

namespace Qbee.Authz.Client.FunctionalTests;

/// <summary>
/// The account the tests use, the same as the sample's inventory: <c>factory/line-1</c> holds device 1 (tag
/// <c>production</c>) and device 2; device 3 (tag <c>test</c>) is in <c>lab</c>. Olivia owns the account; Bob is
/// support (reads production and the lab, a console on production); Carol has no role.
/// </summary>
internal static class Acme
{
    public const string Id = "acme";
    public static readonly string Device1 = DeviceInventory.Device1;
    public static readonly string Device2 = DeviceInventory.Device2;
    public static readonly string Device3 = DeviceInventory.Device3;

    /// <summary>Creates the account through the client's admin API; returns the last revision.</summary>
    public static async Task<ulong> SeedAsync(IAuthzAdminClient admin)
    {
        await admin.CreateAccountAsync(Id, "Acme Corp", User("olivia"));
        await admin.PutNodeAsync(Group("factory", "root"));
        await admin.PutNodeAsync(Group("line-1", "factory"));
        await admin.PutNodeAsync(Group("lab", "root"));
        await admin.PutNodeAsync(Device(Device1, "line-1", "production"));
        await admin.PutNodeAsync(Device(Device2, "line-1"));
        await admin.PutNodeAsync(Device(Device3, "lab", "test"));
        await admin.SetRemoteAccessOnNodeAsync(Id, "root", RemoteAccessSetting.Enabled);
        await admin.PutRoleAsync(SupportRole());
        await admin.PutUserAsync(User("bob", "support"));
        return await admin.PutUserAsync(User("carol"));
    }

    public static Role SupportRole(params string[] readResources)
    {
        var role = new Role { AccountId = Id, RoleId = "support", Name = "Support" };
        var read = new Policy { Permission = "device:read" };
        read.Resources.AddRange(readResources.Length > 0 ? readResources : ["tag:production", "node:lab"]);
        var connect = new Policy { Permission = "remote-access:connect" };
        connect.Resources.Add("tag:production/console");
        role.Policies.Add(read);
        role.Policies.Add(connect);
        return role;
    }

    public static User User(string userId, params string[] roleIds)
    {
        var user = new User { AccountId = Id, UserId = userId, Email = $"{userId}@example.com", FirstName = userId, LastName = "Test" };
        user.RoleIds.AddRange(roleIds);
        return user;
    }

    public static Node Group(string nodeId, string parentId) =>
        new() { AccountId = Id, NodeId = nodeId, Type = NodeType.Group, ParentId = parentId, Title = nodeId };

    public static Node Device(string nodeId, string parentId, params string[] tags)
    {
        var node = new Node { AccountId = Id, NodeId = nodeId, Type = NodeType.Device, ParentId = parentId, Title = "device" };
        node.Tags.AddRange(tags);
        return node;
    }
}
