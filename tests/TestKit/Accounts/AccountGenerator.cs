using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.TestKit.Accounts;

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
        var account = new AccountBuilder(AccountId, "Benchmark Fleet Ltd", deviceCount + 12_000);
        var leaves = AddGroups(account);
        AddDevices(account, leaves, deviceCount, random);
        AddRoles(account, random);
        AddUsers(account, random);
        AddSettings(account, random);
        return account.Build(revision: 1_000);
    }

    /// <summary>
    /// Compiles, and refuses an account whose resources do not all parse: they would grant nothing, and a
    /// benchmark of them would measure less than it says.
    /// </summary>
    public static AccountSnapshot Compile(AccountData data)
    {
        var skipped = new List<string>();
        var snapshot = SnapshotCompiler.Compile(data, DateTimeOffset.UnixEpoch, skipped);
        if (skipped.Count > 0)
        {
            throw new InvalidOperationException($"The generated account has resources that do not compile: {string.Join("; ", skipped)}");
        }

        return snapshot;
    }

    private static List<string> AddGroups(AccountBuilder account)
    {
        account.Group(Ids.Root, "");
        account.Group(Ids.UnassignedGroup, Ids.Root);
        var leaves = new List<string>(Fanout * Fanout * Fanout * Fanout);
        for (var a = 0; a < Fanout; a++)
        {
            var g1 = $"g{a}";
            account.Group(g1, Ids.Root);
            for (var b = 0; b < Fanout; b++)
            {
                var g2 = $"{g1}-{b}";
                account.Group(g2, g1);
                for (var c = 0; c < Fanout; c++)
                {
                    var g3 = $"{g2}-{c}";
                    account.Group(g3, g2);
                    for (var d = 0; d < Fanout; d++)
                    {
                        var leaf = $"{g3}-{d}";
                        account.Group(leaf, g3);
                        leaves.Add(leaf);
                    }
                }
            }
        }

        return leaves;
    }

    private static void AddDevices(AccountBuilder account, List<string> leaves, int deviceCount, Random random)
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

            account.Device(id, parent, agentDisabled: random.Next(50) == 0, tags);
        }
    }

    /// <summary>The 50 roles: the first few are fixed (the anchors use them), the rest are drawn from templates.</summary>
    private static void AddRoles(AccountBuilder account, Random random)
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

        foreach (var role in roles)
        {
            account.Role(role);
        }
    }

    private static RoleRecord Role(string id, List<PolicyRecord> policies) => AccountRecords.Role(AccountId, id, [.. policies]);

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

    private static void AddUsers(AccountBuilder account, Random random)
    {
        account
            .User(TagReader, disabled: false, "tag-reader", "leaf-reader")
            .User(GroupReader, disabled: false, "group-reader")
            .User(LeafReader, disabled: false, "leaf-reader")
            .User(TunnelUser, disabled: false, "tag-reader", "tunnel-operator");

        var roles = account.Roles;
        for (var i = account.Users.Count; i < UserCount; i++)
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

            account.User($"user-{i:D4}", disabled: random.Next(30) == 0, [.. ids]);
        }
    }

    private static void AddSettings(AccountBuilder account, Random random)
    {
        account
            .NodeSetting(Ids.Root, true, 2)
            .NodeSetting("g9", false, 3)
            .NodeSetting("g9-1", true, 4)
            .NodeSetting("g4-4-4", false, 5)
            .TagSetting("maintenance", false, 10)
            .TagSetting("lab", true, 11)
            .TagSetting("pci", false, 12)
            .TagSetting(TunnelTag, true, 13);

        // About 0.5% of the devices carry their own setting.
        var nodes = account.Nodes;
        for (var i = 0; i < nodes.Count; i++)
        {
            if (nodes[i].Kind == NodeKind.Device && random.Next(200) == 0)
            {
                account.NodeSetting(nodes[i].NodeId, random.Next(2) == 0, 20 + i);
            }
        }
    }
}
