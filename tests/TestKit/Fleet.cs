using Qbee.Authz.V1;

namespace Qbee.Authz.TestKit;

/// <summary>Builders of admin requests shared by the functional tests.</summary>
public static class Fleet
{
    public static string DeviceId(int n) => n.ToString("x64");

    public static CreateAccountRequest Account(string accountId, string ownerId = "") => new()
    {
        AccountId = accountId,
        Name = $"Account {accountId}",
        Owner = new User
        {
            UserId = ownerId.Length > 0 ? ownerId : $"{accountId}-owner",
            Email = $"{(ownerId.Length > 0 ? ownerId : accountId + "-owner")}@example.com",
            FirstName = "Olivia",
            LastName = "Owner",
        },
    };

    public static Role Role(string accountId, string roleId, params (string Permission, string[] Resources)[] policies)
    {
        var role = new Role { AccountId = accountId, RoleId = roleId, Name = $"Role {roleId}" };
        foreach (var (permission, resources) in policies)
        {
            var policy = new Policy { Permission = permission };
            policy.Resources.AddRange(resources);
            role.Policies.Add(policy);
        }

        return role;
    }

    public static User User(string accountId, string userId, params string[] roleIds)
    {
        var user = new User { AccountId = accountId, UserId = userId, Email = $"{userId}@example.com", FirstName = "Test", LastName = userId };
        user.RoleIds.AddRange(roleIds);
        return user;
    }

    public static Node Group(string accountId, string nodeId, string parentId = "root", params string[] tags)
    {
        var node = new Node { AccountId = accountId, NodeId = nodeId, Type = NodeType.Group, ParentId = parentId, Title = nodeId };
        node.Tags.AddRange(tags);
        return node;
    }

    public static Node Device(string accountId, string nodeId, string parentId, params string[] tags)
    {
        var node = new Node { AccountId = accountId, NodeId = nodeId, Type = NodeType.Device, ParentId = parentId, Title = "device" };
        node.Tags.AddRange(tags);
        return node;
    }
}
