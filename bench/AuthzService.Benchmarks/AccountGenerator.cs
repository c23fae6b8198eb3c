using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Benchmarks;

/// <summary>
/// A large, realistic account, the same for the same seed: a 5-deep group tree (root > 10 > 10 > 10 > 10 leaf
/// groups, plus unassigned_group) whose leaves hold the devices, 20 tags, 50 roles mixing unrestricted,
/// tag:, node: and remote-access resources, 1k users with 1-3 roles (some disabled), and remote-access
/// settings on root, groups, tags and devices. A few users with known grants anchor the benchmarks.
/// </summary>
internal static class AccountGenerator
{
    public const string AccountId = "bench";
    public const int DefaultSeed = 20_240_611;
    public const int Fanout = 10;
    public const int TagCount = 20;
    public const int RoleCount = 50;
    public const int UserCount = 1_000;

    /// <summary>device:read on <see cref="ReaderTag"/> only (its covering grant is not its first one).</summary>
    public const string TagReader = "bench-tag-reader";

    /// <summary>device:read on one level-2 group (about 1% of the fleet).</summary>
    public const string GroupReader = "bench-group-reader";

    /// <summary>device:read on one leaf group (about 10 devices): a first page scans the whole fleet.</summary>
    public const string LeafReader = "bench-leaf-reader";

    /// <summary>remote-access:connect tunnel tcp 22 and 8000-8100 on <see cref="TunnelTag"/>, plus other grants.</summary>
    public const string TunnelUser = "bench-tunnel-user";

    public const string ReaderTag = "production";
    public const string TunnelTag = "edge";

    /// <summary>The level-2 group of <see cref="GroupReader"/> and the leaf group of <see cref="LeafReader"/>.</summary>
    public const string ReaderGroup = "g3-4";
    public const string ReaderLeaf = "g7-1-5-2";

    private static readonly string[] Tags =
    [
        "production", "staging", "edge", "lab", "eu-west", "eu-north", "us-east", "us-west", "apac", "retail",
        "warehouse", "kiosk", "camera", "gateway", "sensor", "beta", "canary", "maintenance", "legacy", "pci",
    ];

    private static readonly string[] Unrestricted =
    [
        "analysis:read", "audit:read", "company:read", "configuration:read", "cve:read", "files:read",
        "inventory:read", "metrics:read", "roles:read", "users:read",
    ];

    /// <summary>
    /// <paramref name="deviceCount"/> devices: 1% land in unassigned_group, the rest spread evenly over the
    /// 10,000 leaf groups.
    /// </summary>
    public static AccountData Generate(int deviceCount, int seed = DefaultSeed)
    {
        var random = new Random(seed);
        var nodes = new List<NodeRecord>(deviceCount + 12_000);
        var leaves = AddGroups(nodes);
        AddDevices(nodes, leaves, deviceCount, random);

        var roles = Roles(random);
        var users = Users(roles, random);
        var settings = Settings(nodes, random);
        return new AccountData(new AccountRecord(AccountId, "Benchmark Fleet Ltd", 1_000), roles, users, nodes, settings);
    }

    private static List<string> AddGroups(List<NodeRecord> nodes)
    {
        nodes.Add(Group(Ids.Root, ""));
        nodes.Add(Group(Ids.UnassignedGroup, Ids.Root));
        var leaves = new List<string>(Fanout * Fanout * Fanout * Fanout);
        for (var a = 0; a < Fanout; a++)
        {
            var g1 = $"g{a}";
            nodes.Add(Group(g1, Ids.Root));
            for (var b = 0; b < Fanout; b++)
            {
                var g2 = $"{g1}-{b}";
                nodes.Add(Group(g2, g1));
                for (var c = 0; c < Fanout; c++)
                {
                    var g3 = $"{g2}-{c}";
                    nodes.Add(Group(g3, g2));
                    for (var d = 0; d < Fanout; d++)
                    {
                        var leaf = $"{g3}-{d}";
                        nodes.Add(Group(leaf, g3));
                        leaves.Add(leaf);
                    }
                }
            }
        }

        return leaves;
    }

    private static void AddDevices(List<NodeRecord> nodes, List<string> leaves, int deviceCount, Random random)
    {
        Span<byte> key = stackalloc byte[32];
        Span<int> picked = stackalloc int[3];
        var unassigned = deviceCount / 100;
        for (var i = 0; i < deviceCount; i++)
        {
            random.NextBytes(key);
            var id = Convert.ToHexStringLower(key);
            var parent = i < unassigned ? Ids.UnassignedGroup : leaves[(i - unassigned) % leaves.Count];

            var tagCount = random.Next(4);
            string[] tags = tagCount == 0 ? [] : new string[tagCount];
            for (var t = 0; t < tagCount; t++)
            {
                int tag;
                do
                {
                    tag = random.Next(TagCount);
                }
                while (picked[..t].Contains(tag));

                picked[t] = tag;
                tags[t] = Tags[tag];
            }

            nodes.Add(new NodeRecord(AccountId, id, NodeKind.Device, parent, $"device-{i:D7}", tags, random.Next(50) == 0));
        }
    }

    private static NodeRecord Group(string id, string parent) =>
        new(AccountId, id, NodeKind.Group, parent, id, [], false);

    /// <summary>The 50 roles: the first few are fixed (the anchors use them), the rest are drawn from templates.</summary>
    private static List<RoleRecord> Roles(Random random)
    {
        var roles = new List<RoleRecord>(RoleCount)
        {
            Role("admin", [.. PermissionCatalog.CanonicalNames.Select(p => new PolicyRecord(p, []))]),
            Role("viewer", [.. Unrestricted.Select(p => new PolicyRecord(p, [])), new("device:read", []), new("reports:read", [])]),
            Role("tag-reader", [
                new("device:read", ["tag:staging", "tag:lab", "node:g0-0", $"tag:{ReaderTag}"]),
                new("reports:read", [$"tag:{ReaderTag}"]),
                new("inventory:read", []),
            ]),
            Role("group-reader", [new("device:read", [$"node:{ReaderGroup}"]), new("metrics:read", [])]),
            Role("leaf-reader", [new("device:read", [$"node:{ReaderLeaf}"])]),
            Role("tunnel-operator", [
                new("device:read", [$"tag:{TunnelTag}", "node:g2"]),
                new("remote-access:connect", [
                    "node:g5-5/console",
                    "tag:gateway/copy(direction=download;path=/var/log)",
                    $"tag:{TunnelTag}/tunnel(proto=udp;port=53)",
                    $"tag:{TunnelTag}/tunnel(proto=tcp;port=22,8000-8100;dst=localhost)",
                ]),
            ]),
        };

        for (var i = roles.Count; i < RoleCount; i++)
        {
            roles.Add((i % 6) switch
            {
                0 => Role($"ops-{i}", [
                    new("device:read", []),
                    new("device:manage", [RandomNode(random), RandomNode(random)]),
                    new("configuration:manage", []),
                    new("files:manage", []),
                ]),
                1 => Role($"region-{i}", [
                    new("device:read", [RandomTag(random), RandomTag(random)]),
                    new("reports:read", [RandomTag(random)]),
                    new("reports:acknowledge", [RandomTag(random)]),
                ]),
                2 => Role($"site-{i}", [
                    new("device:read", [RandomNode(random), RandomNode(random), RandomNode(random)]),
                    new("device:manage", [RandomNode(random)]),
                    new("remote-access:manage", [RandomNode(random)]),
                ]),
                3 => Role($"support-{i}", [
                    new("device:read", [RandomTag(random), RandomNode(random)]),
                    new("remote-access:connect", [
                        $"{RandomTag(random)}/console",
                        $"{RandomNode(random)}/tunnel(proto=tcp;port=22)",
                        $"{RandomTag(random)}/copy(direction=upload;path=/home/support)",
                    ]),
                ]),
                4 => Role($"developer-{i}", [
                    new("device:read", [RandomTag(random)]),
                    new("remote-access:connect", [
                        $"{RandomTag(random)}/tunnel(proto=tcp;port=80,443,8000-8999)",
                        $"{RandomNode(random)}",
                        $"{RandomTag(random)}/copy(path=/opt/app)",
                    ]),
                    new("cve:read", []),
                ]),
                _ => Role($"auditor-{i}", [
                    new("audit:read", []),
                    new("users:read", []),
                    new("roles:read", []),
                    new("reports:read", []),
                ]),
            });
        }

        return roles;
    }

    private static RoleRecord Role(string id, List<PolicyRecord> policies) =>
        new(AccountId, id, id, $"{id} (generated)", policies);

    private static string RandomTag(Random random) => $"tag:{Tags[random.Next(TagCount)]}";

    /// <summary>A group at depth 1 to 4.</summary>
    private static string RandomNode(Random random)
    {
        var id = $"g{random.Next(Fanout)}";
        var depth = random.Next(1, 5);
        for (var level = 1; level < depth; level++)
        {
            id += $"-{random.Next(Fanout)}";
        }

        return $"node:{id}";
    }

    private static List<UserRecord> Users(List<RoleRecord> roles, Random random)
    {
        var users = new List<UserRecord>(UserCount)
        {
            User(TagReader, ["tag-reader", "leaf-reader"]),
            User(GroupReader, ["group-reader"]),
            User(LeafReader, ["leaf-reader"]),
            User(TunnelUser, ["tag-reader", "tunnel-operator"]),
        };

        for (var i = users.Count; i < UserCount; i++)
        {
            var count = random.Next(1, 4);
            var ids = new List<string>(count);
            while (ids.Count < count)
            {
                var id = roles[random.Next(roles.Count)].RoleId;
                if (!ids.Contains(id))
                {
                    ids.Add(id);
                }
            }

            users.Add(User($"user-{i:D4}", ids, random.Next(30) == 0 ? UserState.Disabled : UserState.Active));
        }

        return users;
    }

    private static UserRecord User(string id, IReadOnlyList<string> roleIds, UserState status = UserState.Active) =>
        new(AccountId, id, $"{id}@bench.example", id, "Benchmark", roleIds, status);

    private static List<RemoteAccessSettingRecord> Settings(List<NodeRecord> nodes, Random random)
    {
        var settings = new List<RemoteAccessSettingRecord>
        {
            new(RemoteAccessTarget.Node, Ids.Root, true, 2),
            new(RemoteAccessTarget.Node, "g9", false, 3),
            new(RemoteAccessTarget.Node, "g9-1", true, 4),
            new(RemoteAccessTarget.Node, "g4-4-4", false, 5),
            new(RemoteAccessTarget.Tag, "maintenance", false, 10),
            new(RemoteAccessTarget.Tag, "lab", true, 11),
            new(RemoteAccessTarget.Tag, "pci", false, 12),
            new(RemoteAccessTarget.Tag, TunnelTag, true, 13),
        };

        // About 0.5% of the devices carry their own setting.
        for (var i = 0; i < nodes.Count; i++)
        {
            if (nodes[i].Kind == NodeKind.Device && random.Next(200) == 0)
            {
                settings.Add(new(RemoteAccessTarget.Node, nodes[i].NodeId, random.Next(2) == 0, 20 + i));
            }
        }

        return settings;
    }
}
