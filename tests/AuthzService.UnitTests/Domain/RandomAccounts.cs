using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Resources;
using Qbee.Authz.TestKit.Accounts;
using static Qbee.Authz.Service.UnitTests.Domain.DomainFixtures;
using static Qbee.Authz.TestKit.Accounts.AccountRecords;

namespace Qbee.Authz.Service.UnitTests.Domain;

/// <summary>Hand-rolled generators over a seeded <see cref="Random"/>: the same seed gives the same account.</summary>
internal sealed class RandomAccounts(int seed)
{
    private static readonly string[] Tags = ["t0", "t1", "t2", "t3"];
    private static readonly string[] Paths = ["/", "/var/log", "/var", "/home/user", "/var/log/app"];
    private static readonly int[] Ports = [22, 80, 443, 8000, 8080, 65535];

    public Random Random { get; } = new(seed);

    public int Seed { get; } = seed;

    private T Pick<T>(IReadOnlyList<T> items) => items[Random.Next(items.Count)];

    private bool Chance(double p) => Random.NextDouble() < p;

    public string DeviceId()
    {
        Span<byte> bytes = stackalloc byte[32];
        Random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    public AccountData Account(string accountId)
    {
        var account = new AccountBuilder(accountId).Group("root", "").Group("unassigned_group", "root");
        var groupCount = Random.Next(0, 6);
        for (var i = 0; i < groupCount; i++)
        {
            var parent = Pick(account.Nodes).NodeId;
            account.Group($"g{i}", parent, RandomTags(0.2));
        }

        var groups = account.Nodes.Select(n => n.NodeId).ToList();
        var deviceCount = Random.Next(1, 9);
        for (var i = 0; i < deviceCount; i++)
        {
            account.Device(DeviceId(), Pick(groups), Chance(0.1), RandomTags(0.35));
        }

        foreach (var node in account.Nodes)
        {
            if (Chance(node.Kind == NodeKind.Group ? 0.4 : 0.25))
            {
                account.NodeSetting(node.NodeId, Chance(0.6));
            }
        }

        // Distinct change revisions: "most recently changed" is then well defined.
        var revisions = Enumerable.Range(1, 100).OrderBy(_ => Random.Next()).ToArray();
        for (var t = 0; t < Tags.Length; t++)
        {
            if (Chance(0.4))
            {
                account.TagSetting(Tags[t], Chance(0.5), revisions[t]);
            }
        }

        var roleCount = Random.Next(1, 5);
        for (var r = 0; r < roleCount; r++)
        {
            account.Role(RandomRole(accountId, $"r{r}", account.Nodes));
        }

        var userCount = Random.Next(1, 5);
        for (var u = 0; u < userCount; u++)
        {
            var roleIds = account.Roles.Where(_ => Chance(0.4)).Select(r => r.RoleId).ToList();
            if (Chance(0.1))
            {
                roleIds.Add("missing-role");
            }

            account.User($"{accountId}-u{u}", Chance(0.15), [.. roleIds]);
        }

        return account.Build(revision: Random.Next(1, 1000));
    }

    public RoleRecord RandomRole(string accountId, string roleId, IReadOnlyList<NodeRecord> nodes)
    {
        var policies = new List<PolicyRecord>();
        var count = Random.Next(1, 5);
        for (var p = 0; p < count; p++)
        {
            var permission = Chance(0.35) ? "remote-access:connect"
                : Chance(0.5) ? Pick(["device:read", "device:manage", "remote-access:manage", "reports:read", "reports:acknowledge", "reports:markread"])
                : Pick(PermissionCatalog.CanonicalNames);
            var restrictable = PermissionCatalog.IsRestrictable(PermissionCatalog.Require(permission, "p"));
            var resources = new List<string>();
            if (!Chance(0.25))
            {
                var resourceCount = Random.Next(1, 4);
                for (var i = 0; i < resourceCount; i++)
                {
                    resources.Add(restrictable || Chance(0.2) ? RandomResource(permission == "remote-access:connect", nodes) : "*");
                }
            }

            policies.Add(Policy(permission, [.. resources]));
        }

        return Role(accountId, roleId, [.. policies]);
    }

    private string RandomResource(bool connect, IReadOnlyList<NodeRecord> nodes)
    {
        if (Chance(0.03))
        {
            return Pick(["tag:bad tag", "node:", "nonsense", "*/teleport"]); // stored but no longer valid: grants nothing
        }

        var entity = Random.Next(10) switch
        {
            < 3 => "*",
            < 6 => "tag:" + (Chance(0.9) ? Pick(Tags) : "t9"),
            _ => "node:" + (Chance(0.9) ? Pick(nodes).NodeId : "nowhere"),
        };
        if (!connect || Chance(0.35))
        {
            return entity;
        }

        switch (Random.Next(4))
        {
            case 0:
                return entity + "/console";
            case 1:
                return entity + "/reload";
            case 2:
                var tunnel = new List<string>();
                if (Chance(0.5))
                {
                    tunnel.Add("proto=" + Pick(["tcp", "udp"]));
                }

                if (Chance(0.5))
                {
                    var from = Pick(Ports);
                    tunnel.Add("port=" + Random.Next(3) switch
                    {
                        0 => $"{from}",
                        1 => $"{from}-{Math.Min(65535, from + Random.Next(0, 200))}",
                        _ => $"{from},{Pick(Ports)}",
                    });
                }

                if (Chance(0.3))
                {
                    tunnel.Add("dst=" + Pick(["localhost", "10.0.0.1"]));
                }

                return entity + "/tunnel" + (tunnel.Count > 0 || Chance(0.3) ? $"({string.Join(';', tunnel)})" : string.Empty).Replace("()", string.Empty, StringComparison.Ordinal);
            default:
                var copy = new List<string>();
                if (Chance(0.5))
                {
                    copy.Add("direction=" + Pick(["upload", "download"]));
                }

                if (Chance(0.5))
                {
                    copy.Add("path=" + Pick(Paths));
                }

                return entity + "/copy" + (copy.Count > 0 ? $"({string.Join(';', copy)})" : string.Empty);
        }
    }

    private string[] RandomTags(double p) => Tags.Where(_ => Chance(p)).ToArray();

    public RemoteAccessQuery Query(string permission)
    {
        if (permission != "remote-access:connect")
        {
            return RemoteAccessQuery.None;
        }

        switch (Random.Next(5))
        {
            case 0:
                return RemoteAccessQuery.None;
            case 1:
                return Plain(Chance(0.5) ? RemoteAction.Console : RemoteAction.Reload);
            case 2:
                var protocol = (TunnelProtocol)Random.Next(3);
                var port = Chance(0.15) ? 0 : Chance(0.7) ? Pick(Ports) + Random.Next(-1, 150) : Random.Next(1, 65536);
                return Tunnel(protocol, Math.Clamp(port, 0, 65535), Pick(new string?[] { null, "localhost", "10.0.0.1" }));
            default:
                var direction = (CopyDirection)Random.Next(3);
                var path = Pick(new string?[] { null, "/", "/var/log", "/var/log/x", "/var/logs/x", "/var/log/../../etc", "/var/log/app/../app/y", "/home/user/a", "/var" });
                return Copy(direction, path);
        }
    }
}
