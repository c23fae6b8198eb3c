using Qbee.Authz.V1;

namespace Qbee.Authz.Harness;

/// <summary>
/// An account for the write benchmark, as admin requests, the same for the same id and size: a group tree with a
/// fan-out of 10 and as many levels as put about 10 devices in each leaf (1 to 4 levels: 100k devices get the load
/// harness's 11,110 groups, 1k devices 110), 20 tags (0-3 per device), 50 roles over tags, groups and
/// remote-access actions, users with 1-3 roles. Device ids are the SHA-256 of the account and the index, so two
/// accounts never share one. The objects are kept: a write changes one and sends it whole, as a caller would.
/// </summary>
internal sealed class WriteFleet
{
    public const int Tags = 20;
    public const int RoleCount = 50;
    public const string ToggledTag = "bench-moved";
    private const int Fanout = 10;
    private static readonly string[] LevelNames = ["r", "s", "a", "l"];

    private readonly int _depth;

    public WriteFleet(string accountId, int devices, int users)
    {
        AccountId = accountId;
        _depth = Math.Clamp((int)Math.Round(Math.Log10(Math.Max(devices, 100) / 10.0)), 1, LevelNames.Length);
        var leaves = new List<string>();
        AddGroups("root", 0, string.Empty, leaves);
        for (var i = 0; i < devices; i++)
        {
            var device = new Node
            {
                AccountId = accountId, NodeId = DeviceId(accountId, i), Type = NodeType.Device, ParentId = leaves[i % leaves.Count], Title = $"device-{i}",
            };
            device.Tags.AddRange(Enumerable.Range(0, i % 4).Select(k => $"t{(i / 4 + k * 7) % Tags}").Distinct());
            Devices.Add(device);
        }

        for (var r = 0; r < RoleCount; r++)
        {
            Roles.Add(Role(r));
        }

        for (var u = 0; u < users; u++)
        {
            var user = new User
            {
                AccountId = accountId, UserId = $"{accountId}-u{u}", Email = $"{accountId}-u{u}@bench.example",
                Status = u % 50 == 49 ? UserStatus.Disabled : UserStatus.Active,
            };
            user.RoleIds.AddRange(Enumerable.Range(0, 1 + (u % 3)).Select(k => $"role{(u * 7 + k * 13) % RoleCount}").Distinct());
            Users.Add(user);
        }
    }

    public string AccountId { get; }

    public string OwnerId => $"{AccountId}-owner";

    /// <summary>Parents before children: the order PutNodes needs.</summary>
    public List<Node> Groups { get; } = [];

    public List<Node> Devices { get; } = [];

    public List<Role> Roles { get; } = [];

    public List<User> Users { get; } = [];

    /// <summary>The first top-level group: a tenth of the devices (10,000 of 100,000) sit below it.</summary>
    public Node MovableGroup => Groups[0];

    /// <summary>Where <see cref="MovableGroup"/> goes and comes back from: the second top-level group, and root.</summary>
    public string OtherTopGroup => Groups.First(g => g.ParentId == "root" && g.NodeId != MovableGroup.NodeId).NodeId;

    public int DevicesBelow(string groupId)
    {
        var parents = Groups.ToDictionary(g => g.NodeId, g => g.ParentId);
        bool Below(string parent)
        {
            for (var at = parent; at.Length > 0 && at != "root"; at = parents.GetValueOrDefault(at, string.Empty))
            {
                if (at == groupId)
                {
                    return true;
                }
            }

            return false;
        }

        return Devices.Count(d => Below(d.ParentId));
    }

    public CreateAccountRequest CreateRequest() => new()
    {
        AccountId = AccountId, Name = $"Bench {AccountId}", Owner = new User { UserId = OwnerId, Email = $"{OwnerId}@bench.example" },
    };

    private void AddGroups(string parent, int level, string prefix, List<string> leaves)
    {
        for (var i = 0; i < Fanout; i++)
        {
            var id = $"{prefix}{LevelNames[level]}{i}";
            Groups.Add(new Node { AccountId = AccountId, NodeId = id, Type = NodeType.Group, ParentId = parent, Title = id });
            if (level + 1 < _depth)
            {
                AddGroups(id, level + 1, id, leaves);
            }
            else
            {
                leaves.Add(id);
            }
        }
    }

    /// <summary>The group at <paramref name="level"/> (1-based, capped at the tree's depth) on the path r{k}s{k}a{k}...</summary>
    private string GroupAt(int k, int level) =>
        string.Concat(Enumerable.Range(0, Math.Min(level, _depth)).Select(l => $"{LevelNames[l]}{(k + l) % Fanout}"));

    /// <summary>Ten kinds of role, five of each, as the load harness's.</summary>
    private Role Role(int r)
    {
        var k = r % 10;
        var role = new Role { AccountId = AccountId, RoleId = $"role{r}", Name = $"Role {r}" };
        void Add(string permission, params string[] resources)
        {
            var policy = new Policy { Permission = permission };
            policy.Resources.AddRange(resources);
            role.Policies.Add(policy);
        }

        switch (r / 10)
        {
            case 0:
                Add("device:read", $"tag:t{k * 2 % Tags}", $"tag:t{(k * 2 + 1) % Tags}");
                Add("reports:read", $"tag:t{k}");
                break;
            case 1:
                Add("device:read", $"node:{GroupAt(k, 1)}");
                Add("device:manage", $"node:{GroupAt(k, 2)}");
                Add("inventory:read");
                break;
            case 2:
                Add("remote-access:connect", $"tag:t{k * 2 % Tags}/tunnel(proto=tcp;port=8000-8100;dst=localhost)", $"node:{GroupAt(k, 3)}/console");
                Add("device:read", $"tag:t{k * 2 % Tags}");
                break;
            case 3:
                Add("remote-access:connect", $"node:{GroupAt(k, 1)}/copy(direction=download;path=/var/log)", $"node:{GroupAt(k, 2)}/reload");
                Add("device:read", $"node:{GroupAt(k, 4)}", $"tag:t{k + 5}");
                break;
            default:
                Add("audit:read");
                Add("reports:acknowledge", $"tag:t{k}");
                Add("device:read", "*");
                break;
        }

        return role;
    }

    private static string DeviceId(string accountId, int i) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{accountId}/{i}")));
}
