using Qbee.Authz.V1;

namespace Qbee.Authz.Samples.ApiService;

/// <summary>
/// What the sample needs in the authorization service, mirroring <see cref="DeviceInventory"/>: account
/// <c>globex</c>, the groups and devices of the inventory, a <c>support</c> role, and three users. Olivia owns the
/// account (the default full-rights role); Sam is support (reads devices tagged <c>production</c> and those in
/// <c>lab</c>, a console on production); Nina has no role. Its own ids, so it lives beside the README's grpcurl session
/// (account <c>acme</c>) in one service: user ids, emails and device ids are unique across accounts.
/// </summary>
public static class SampleAccount
{
    public const string Id = "globex";
    public const string Name = "Globex (sample)";

    public static User Owner { get; } = User("olivia", "Olivia", "Owner");

    /// <summary>The groups, parents first, then the devices: the order they can be put in.</summary>
    public static IReadOnlyList<Node> Nodes(DeviceInventory inventory)
    {
        // AncestorsAndSelf runs device, its group, ..., root: each group with its parent and its depth below root.
        var groups = inventory.Devices
            .SelectMany(d => Enumerable.Range(1, d.AncestorsAndSelf.Count - 2)
                .Select(i => (Group: d.AncestorsAndSelf[i], Parent: d.AncestorsAndSelf[i + 1], Depth: d.AncestorsAndSelf.Count - 1 - i)))
            .Distinct()
            .OrderBy(g => g.Depth)
            .Select(g => new Node { AccountId = Id, NodeId = g.Group, Type = NodeType.Group, ParentId = g.Parent, Title = g.Group });
        var devices = inventory.Devices.Select(d =>
        {
            var node = new Node { AccountId = Id, NodeId = d.Id, Type = NodeType.Device, ParentId = d.AncestorsAndSelf[1], Title = d.Title };
            node.Tags.AddRange(d.Tags);
            return node;
        });
        return [.. groups, .. devices];
    }

    public static IReadOnlyList<Role> Roles { get; } = [Support()];

    /// <summary>The users besides the owner, whom the account's creation makes.</summary>
    public static IReadOnlyList<User> Users { get; } = [User("sam", "Sam", "Support", "support"), User("nina", "Nina", "Norole")];

    private static Role Support()
    {
        var role = new Role { AccountId = Id, RoleId = "support", Name = "Support" };
        role.Policies.Add(new Policy { Permission = "device:read", Resources = { "tag:production", "node:lab" } });
        role.Policies.Add(new Policy { Permission = "remote-access:connect", Resources = { "tag:production/console" } });
        return role;
    }

    private static User User(string userId, string firstName, string lastName, params string[] roleIds)
    {
        var user = new User
        {
            AccountId = Id,
            UserId = userId,
            Email = $"{userId}@globex.example",
            FirstName = firstName,
            LastName = lastName,
            Status = UserStatus.Active,
        };
        user.RoleIds.AddRange(roleIds);
        return user;
    }
}
