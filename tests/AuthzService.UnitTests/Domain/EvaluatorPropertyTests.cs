using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Resources;
using Qbee.Authz.Service.Domain.Evaluation;
using static Qbee.Authz.Service.UnitTests.Domain.DomainFixtures;
using static Qbee.Authz.TestKit.Accounts.AccountRecords;

namespace Qbee.Authz.Service.UnitTests.Domain;

/// <summary>Random accounts from fixed seeds: a failure names its seed, and the same seed reproduces it.</summary>
public sealed class EvaluatorPropertyTests
{
    private const int Accounts = 300;
    private const int ChecksPerAccount = 60;

    private static readonly string[] RestrictableNames =
        ["device:read", "device:manage", "remote-access:connect", "remote-access:manage", "reports:read", "reports:acknowledge", "reports:markread"];

    private static (string User, string Permission, string? Target, bool AnyNode, RemoteAccessQuery Query) RandomCheck(RandomAccounts gen, AccountData data)
    {
        var random = gen.Random;
        var user = random.Next(10) == 0 ? "nobody" : data.Users[random.Next(data.Users.Count)].UserId;
        var permission = random.Next(3) == 0
            ? PermissionCatalog.CanonicalNames[random.Next(PermissionCatalog.Count)]
            : RestrictableNames[random.Next(RestrictableNames.Length)];
        var anyNode = random.Next(5) == 0;
        string? target = random.Next(10) switch
        {
            < 2 => null,
            2 => gen.DeviceId(), // no such device
            3 => data.Nodes[random.Next(data.Nodes.Count)].NodeId, // maybe a group
            _ => data.Nodes.Where(n => n.Kind == NodeKind.Device).ElementAt(random.Next(data.Nodes.Count(n => n.Kind == NodeKind.Device))).NodeId,
        };
        return (user, permission, target, anyNode, gen.Query(permission));
    }

    [Fact]
    public void Check_RandomAccounts_AgreesWithTheReferenceEvaluator()
    {
        var compared = 0;
        var reasons = new HashSet<DecisionReason>();
        for (var seed = 1; seed <= Accounts; seed++)
        {
            var gen = new RandomAccounts(seed);
            var data = gen.Account($"acct{seed}");
            var snapshot = Compile(data);
            for (var i = 0; i < ChecksPerAccount; i++)
            {
                var (user, permission, target, anyNode, query) = RandomCheck(gen, data);
                var expected = ReferenceEvaluator.Check(data, user, permission, target, query, anyNode);
                var actual = Check(snapshot, user, permission, target, query, anyNode);
                var context = $"seed {seed}, check {i}: {user} {permission} on {target ?? "-"} (anyNode {anyNode}) {query}; roles {Describe(data, user)}";
                Assert.True(expected.Reason == actual.Reason, $"{context}: expected {expected.Reason}, got {actual.Reason}");
                Assert.True(expected.Allowed == actual.Allowed, context);
                Assert.True(expected.Restricted == actual.Restricted, $"{context}: expected restricted {expected.Restricted}, got {actual.Restricted}");
                reasons.Add(actual.Reason);
                compared++;
            }
        }

        Assert.Equal(Accounts * ChecksPerAccount, compared);
        // The generator must reach every reason, or agreement proves little.
        foreach (var reason in Enum.GetValues<DecisionReason>().Where(r => r is not DecisionReason.None and not DecisionReason.ApiCallUnknown))
        {
            Assert.Contains(reason, reasons);
        }
    }

    [Fact]
    public void Check_DeviceOfAnotherAccount_NeverAllowed()
    {
        for (var seed = 1; seed <= Accounts; seed++)
        {
            var gen = new RandomAccounts(10_000 + seed);
            var a = gen.Account("a");
            var b = gen.Account("b");
            var snapshotA = Compile(a);
            var snapshotB = Compile(b);
            var devicesOfB = b.Nodes.Where(n => n.Kind == NodeKind.Device).Select(n => n.NodeId).ToList();
            Assert.Empty(devicesOfB.Intersect(a.Nodes.Select(n => n.NodeId)));

            // Give A's first user full rights everywhere, so nothing but the account boundary can deny.
            var admin = Role("a", "all", PermissionCatalog.CanonicalNames.Select(n => Policy(n)).ToArray());
            var withAdmin = a with { Roles = [.. a.Roles, admin], Users = [.. a.Users.Select((u, i) => i == 0 ? u with { RoleIds = [.. u.RoleIds, "all"], Status = UserState.Active } : u)] };
            var snapshotAdmin = Compile(withAdmin);

            foreach (var device in devicesOfB)
            {
                foreach (var permission in RestrictableNames)
                {
                    var query = gen.Query(permission);
                    foreach (var user in withAdmin.Users)
                    {
                        var decision = Check(snapshotAdmin, user.UserId, permission, device, query, anyNode: gen.Random.Next(2) == 0);
                        Assert.False(decision.Allowed, $"seed {seed}: {user.UserId} {permission} on B's {device}");
                        Assert.Equal(user.Status == UserState.Disabled ? DecisionReason.UserDisabled : DecisionReason.DeviceNotFound, decision.Reason);
                    }

                    foreach (var user in b.Users)
                    {
                        // B's users are not A's users either.
                        Assert.Equal(DecisionReason.UserNotFound, Check(snapshotA, user.UserId, permission, device, query).Reason);
                    }
                }
            }

            Assert.True(snapshotB.DeviceCount == devicesOfB.Count);
        }
    }

    [Fact]
    public void Check_AddingARole_NeverTurnsAllowedIntoDenied()
    {
        var allowedBefore = 0;
        for (var seed = 1; seed <= Accounts; seed++)
        {
            var gen = new RandomAccounts(20_000 + seed);
            var data = gen.Account($"m{seed}");
            var extra = gen.Random.Next(2) == 0 && data.Roles.Count > 0
                ? data.Roles[gen.Random.Next(data.Roles.Count)]
                : gen.RandomRole(data.Account.AccountId, "extra", data.Nodes);
            var user = data.Users[gen.Random.Next(data.Users.Count)];
            var grown = data with
            {
                Roles = data.Roles.Any(r => r.RoleId == extra.RoleId) ? data.Roles : [.. data.Roles, extra],
                Users = [.. data.Users.Select(u => u.UserId == user.UserId ? u with { RoleIds = [.. u.RoleIds, extra.RoleId] } : u)],
            };
            var before = Compile(data);
            var after = Compile(grown);
            for (var i = 0; i < ChecksPerAccount; i++)
            {
                var (_, permission, target, anyNode, query) = RandomCheck(gen, data);
                var was = Check(before, user.UserId, permission, target, query, anyNode);
                var now = Check(after, user.UserId, permission, target, query, anyNode);
                if (was.Allowed)
                {
                    allowedBefore++;
                    Assert.True(now.Allowed, $"seed {seed}: adding {extra.RoleId} to {user.UserId} denied {permission} on {target} {query}: {now.Reason}");
                }
            }
        }

        Assert.True(allowedBefore > 500, $"only {allowedBefore} allowed checks were exercised");
    }

    [Fact]
    public void Check_RemovingARole_NeverTurnsDeniedIntoAllowed()
    {
        var deniedBefore = 0;
        for (var seed = 1; seed <= Accounts; seed++)
        {
            var gen = new RandomAccounts(30_000 + seed);
            var data = gen.Account($"d{seed}");
            var user = data.Users[gen.Random.Next(data.Users.Count)];
            if (user.RoleIds.Count == 0)
            {
                continue;
            }

            var removed = user.RoleIds[gen.Random.Next(user.RoleIds.Count)];
            var shrunk = data with
            {
                Users = [.. data.Users.Select(u => u.UserId == user.UserId ? u with { RoleIds = [.. u.RoleIds.Where(r => r != removed)] } : u)],
            };
            var before = Compile(data);
            var after = Compile(shrunk);
            for (var i = 0; i < ChecksPerAccount; i++)
            {
                var (_, permission, target, anyNode, query) = RandomCheck(gen, data);
                var was = Check(before, user.UserId, permission, target, query, anyNode);
                var now = Check(after, user.UserId, permission, target, query, anyNode);
                if (!was.Allowed)
                {
                    deniedBefore++;
                    Assert.False(now.Allowed, $"seed {seed}: removing {removed} from {user.UserId} allowed {permission} on {target} {query}");
                }
            }
        }

        Assert.True(deniedBefore > 500, $"only {deniedBefore} denied checks were exercised");
    }

    private static string Describe(AccountData data, string userId)
    {
        var user = data.Users.FirstOrDefault(u => u.UserId == userId);
        if (user is null)
        {
            return "(no user)";
        }

        return string.Join(" | ", user.RoleIds.Select(id => data.Roles.FirstOrDefault(r => r.RoleId == id) is { } role
            ? $"{id}: " + string.Join("; ", role.Policies.Select(p => $"{p.Permission}[{string.Join(", ", p.Resources)}]"))
            : $"{id}: (missing)"));
    }
}
