using Qbee.Authz.V1;

namespace Qbee.Authz.LoadTool;

/// <summary>
/// The load account: a 5-deep group tree (root > 10 regions > 10 sites > 10 areas > 10 lines > devices),
/// 20 tags (0–3 per device), 50 roles mixing tag:, node: and remote-access resources with actions, 1k users with
/// 1–3 roles each, remote access on at root and off in one region. Deterministic.
/// </summary>
internal sealed class LoadFleet(int devices)
{
    public const string Account = "load";
    public const int Tags = 20;
    public const int Roles = 50;
    public const int Users = 1000;
    private const int Fanout = 10;

    private readonly Random _random = new(42);
    private readonly List<Node> _devices = [];
    private readonly List<string> _lines = [];

    public int DeviceCount => _devices.Count;

    public int GroupCount { get; private set; }

    public async Task SeedAsync(AdminService.AdminServiceClient admin)
    {
        await admin.CreateAccountAsync(new CreateAccountRequest
        {
            AccountId = Account, Name = "Load", Owner = new User { UserId = "load-owner", Email = "load-owner@example.com" },
        });

        // Roles and users first, while the account is small: each write rebuilds its snapshot.
        for (var r = 0; r < Roles; r++)
        {
            await admin.PutRoleAsync(new PutRoleRequest { Role = Role(r) });
        }

        for (var u = 0; u < Users; u++)
        {
            var user = new User { AccountId = Account, UserId = $"u{u}", Email = $"u{u}@load.example", Status = u % 50 == 49 ? UserStatus.Disabled : UserStatus.Active };
            user.RoleIds.AddRange(Enumerable.Range(0, 1 + (u % 3)).Select(k => $"role{(u * 7 + k * 13) % Roles}").Distinct());
            await admin.PutUserAsync(new PutUserRequest { User = user });
        }

        await admin.PutUserAsync(new PutUserRequest { User = Special("reader", "role0") });
        await admin.PutUserAsync(new PutUserRequest { User = Special("tunneler", "role20") });

        var groups = new List<Node>();
        for (var region = 0; region < Fanout; region++)
        {
            groups.Add(Group($"r{region}", "root"));
            for (var site = 0; site < Fanout; site++)
            {
                groups.Add(Group($"r{region}s{site}", $"r{region}"));
                for (var area = 0; area < Fanout; area++)
                {
                    groups.Add(Group($"r{region}s{site}a{area}", $"r{region}s{site}"));
                    for (var line = 0; line < Fanout; line++)
                    {
                        var id = $"r{region}s{site}a{area}l{line}";
                        groups.Add(Group(id, $"r{region}s{site}a{area}"));
                        _lines.Add(id);
                    }
                }
            }
        }

        GroupCount = groups.Count;
        for (var i = 0; i < devices; i++)
        {
            var device = new Node { AccountId = Account, NodeId = DeviceId(i), Type = NodeType.Device, ParentId = _lines[i % _lines.Count], Title = $"device-{i}" };
            device.Tags.AddRange(Enumerable.Range(0, i % 4).Select(k => $"t{(i / 4 + k * 7) % Tags}").Distinct());
            _devices.Add(device);
        }

        foreach (var chunk in groups.Concat(_devices).Chunk(1000))
        {
            var request = new PutNodesRequest { AccountId = Account };
            request.Nodes.AddRange(chunk);
            await admin.PutNodesAsync(request);
        }

        await admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Account, NodeId = "root", Setting = RemoteAccessSetting.Enabled });
        await admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Account, NodeId = "r9", Setting = RemoteAccessSetting.Disabled });
    }

    /// <summary>role0 reads tag:t0 and tag:t1: a device tagged t0.</summary>
    public CheckRequest GrantedCheck() => new() { UserId = "reader", Permission = "device:read", DeviceId = First(d => d.Tags.Contains("t0")).NodeId };

    public CheckRequest OutOfScopeCheck() => new()
    {
        UserId = "reader", Permission = "device:read", DeviceId = First(d => !d.Tags.Contains("t0") && !d.Tags.Contains("t1") && d.Tags.Count > 0).NodeId,
    };

    /// <summary>role20 tunnels tcp 8000-8100 to localhost on tag:t0, outside region r9 where remote access is off.</summary>
    public CheckRequest TunnelCheck() => new()
    {
        UserId = "tunneler",
        Permission = "remote-access:connect",
        DeviceId = First(d => d.Tags.Contains("t0") && !d.ParentId.StartsWith("r9", StringComparison.Ordinal)).NodeId,
        RemoteAccess = new RemoteAccess { Action = RemoteAccessAction.Tunnel, Proto = "tcp", Port = 8080, Dst = "localhost" },
    };

    public CheckBatchRequest Batch(int size)
    {
        var batch = new CheckBatchRequest();
        for (var i = 0; i < size; i++)
        {
            batch.Checks.Add(new CheckRequest { UserId = $"u{_random.Next(Users)}", Permission = "device:read", DeviceId = _devices[_random.Next(_devices.Count)].NodeId });
        }

        return batch;
    }

    private Node First(Func<Node, bool> match) => _devices.First(match);

    private static string DeviceId(int i) => System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)) is var digest
        ? Convert.ToHexStringLower(digest)
        : string.Empty;

    private static Node Group(string id, string parent) => new() { AccountId = Account, NodeId = id, Type = NodeType.Group, ParentId = parent, Title = id };

    private static User Special(string id, string role)
    {
        var user = new User { AccountId = Account, UserId = id, Email = $"{id}@load.example" };
        user.RoleIds.Add(role);
        return user;
    }

    /// <summary>Ten kinds of role, five of each, over tags, groups at every depth and remote-access actions.</summary>
    private static Role Role(int r)
    {
        var k = r % 10;
        var role = new Role { AccountId = Account, RoleId = $"role{r}", Name = $"Role {r}" };
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
                Add("device:read", $"node:r{k}");
                Add("device:manage", $"node:r{k}s{k}");
                Add("inventory:read");
                break;
            case 2:
                Add("remote-access:connect", $"tag:t{k * 2 % Tags}/tunnel(proto=tcp;port=8000-8100;dst=localhost)", $"node:r{k}s1a1/console");
                Add("device:read", $"tag:t{k * 2 % Tags}");
                break;
            case 3:
                Add("remote-access:connect", $"node:r{k}/copy(direction=download;path=/var/log)", $"node:r{k}s2/reload");
                Add("device:read", $"node:r{k}s2a3l4", $"tag:t{k + 5}");
                break;
            default:
                Add("audit:read");
                Add("reports:acknowledge", $"tag:t{k}");
                Add("device:read", "*");
                break;
        }

        return role;
    }
}
