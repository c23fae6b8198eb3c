using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Changes;
using Qbee.Authz.Service.Domain.Evaluation;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Resources;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.TestKit.Accounts;
using static Qbee.Authz.Service.UnitTests.Domain.DomainFixtures;
using static Qbee.Authz.TestKit.Accounts.AccountRecords;

namespace Qbee.Authz.Service.UnitTests.Domain;

/// <summary>
/// The dry run's diff against a reference that evaluates every user, permission and device in both snapshots one by
/// one: on random write sequences (seeded, as the patcher's property test) and on hand-made cases.
/// </summary>
public sealed class ImpactDiffTests
{
    private const int Runs = 25;
    private const int WritesPerSequence = 25;
    private const string Account = "acme";
    private static readonly string[] Devices = [D(1), D(2), D(3), D(4)];

    [Fact]
    public void Compute_RandomWriteSequences_MatchesTheChecksOfBothSnapshots()
    {
        var compared = 0;
        for (var seed = 1; seed <= Runs; seed++)
        {
            var gen = new RandomWrites(seed, $"acct{seed}");
            var snapshot = Compile(gen.Rows);
            for (var step = 0; step <= WritesPerSequence; step++)
            {
                var changes = step == 0 ? gen.Seed() : gen.Next();
                var patched = SnapshotPatcher.Apply(snapshot, changes, BuiltAt);
                try
                {
                    AssertMatchesReference(snapshot, patched, ImpactDiff.Compute(snapshot, patched, changes, int.MaxValue));
                }
                catch (Exception e)
                {
                    Assert.Fail($"seed {seed}, write {step} ({gen.Last}): {e}");
                }

                snapshot = patched.Snapshot;
                compared++;
            }
        }

        Assert.Equal(Runs * (WritesPerSequence + 1), compared);
    }

    [Fact]
    public void Compute_RoleEdit_ListsItsHoldersOnly_WithTheDevicesGainedAndLost()
    {
        var before = Fleet(Role(Account, "ops", Policy("device:read", "tag:prod")), Role(Account, "other", Policy("cve:read")));
        var changes = Next(before, new RolePut(Role(Account, "ops", Policy("device:read", "tag:lab"), Policy("billing:read"))));

        var impact = Diff(before, changes);

        Assert.Equal(["bob", "carol"], impact.Users.Select(u => u.UserId));
        var bob = impact.Users[0];
        Assert.Equal([Permission.BillingRead, Permission.DeviceRead], bob.PermissionsGained);
        Assert.Equal([Permission.DeviceRead], bob.PermissionsLost);
        Assert.Equal((2, 2), (bob.DevicesGained, bob.DevicesLost));
        Assert.True(bob.SessionsRevoked);
        var read = Assert.Single(bob.Permissions, p => p.Permission == Permission.DeviceRead);
        Assert.Equal([D(2), D(4)], read.DeviceIdsGained);
        Assert.Equal([D(1), D(3)], read.DeviceIdsLost);
        var billing = Assert.Single(bob.Permissions, p => p.Permission == Permission.BillingRead);
        Assert.Equal((false, true, 0, 0), (billing.HeldBefore, billing.HeldAfter, billing.DevicesGained, billing.DevicesLost));
        Assert.Same(bob.Permissions, impact.Users[1].Permissions); // same roles: compared once
    }

    [Fact]
    public void Compute_GrantOnlyWidened_GainsWithoutRevoking()
    {
        var before = Fleet(Role(Account, "ops", Policy("device:read", "tag:prod")), Role(Account, "other", Policy("cve:read")));
        var changes = Next(before, new RolePut(Role(Account, "ops", Policy("device:read", "tag:prod", "tag:lab"))));

        var bob = Diff(before, changes).Users[0];

        Assert.Equal((2, 0), (bob.DevicesGained, bob.DevicesLost));
        Assert.Empty(bob.PermissionsLost);
        Assert.False(bob.SessionsRevoked);
    }

    [Fact]
    public void Compute_ConnectNarrowedToConsole_LosesTheDevicesForConnect_ThoughAnActionIsStillAllowed()
    {
        var before = Fleet(Role(Account, "ops", Policy("remote-access:connect", "*")), Role(Account, "other", Policy("cve:read")));
        var changes = Next(before, new RolePut(Role(Account, "ops", Policy("remote-access:connect", "*/console"))));

        var bob = Diff(before, changes).Users[0];

        var connect = Assert.Single(bob.Permissions);
        Assert.Equal((true, true, 0, 4), (connect.HeldBefore, connect.HeldAfter, connect.DevicesGained, connect.DevicesLost));
        Assert.True(bob.SessionsRevoked);
    }

    [Fact]
    public void Compute_DeviceRetagged_ComparesEveryUserOnThatDeviceOnly()
    {
        var before = Fleet(Role(Account, "ops", Policy("device:read", "tag:prod")), Role(Account, "other", Policy("device:read", "tag:lab")));
        var changes = Next(before, new NodePut(Device(Account, D(1), "root", false, "lab")));

        var impact = Diff(before, changes);

        var bob = Assert.Single(impact.Users, u => u.UserId == "bob");
        Assert.Equal([D(1)], Assert.Single(bob.Permissions).DeviceIdsLost);
        var dave = Assert.Single(impact.Users, u => u.UserId == "dave");
        Assert.Equal([D(1)], Assert.Single(dave.Permissions).DeviceIdsGained);
        Assert.DoesNotContain(impact.Users, u => u.UserId == "owner");
    }

    [Fact]
    public void Compute_UserDeletedAndAdded_LosesAndGainsEverything()
    {
        var before = Fleet(Role(Account, "ops", Policy("device:read", "tag:prod")), Role(Account, "other", Policy("cve:read")));
        var deleted = Diff(before, Next(before, new UserDeleted("dave")));
        var added = Diff(before, Next(before, new UserPut(User(Account, "erin", false, "other"))));

        var dave = Assert.Single(deleted.Users);
        Assert.Empty(dave.PermissionsGained);
        Assert.Equal([Permission.CveRead], dave.PermissionsLost);
        Assert.True(dave.SessionsRevoked);
        var erin = Assert.Single(added.Users);
        Assert.Equal([Permission.CveRead], erin.PermissionsGained);
        Assert.Empty(erin.PermissionsLost);
        Assert.False(erin.SessionsRevoked);
    }

    [Fact]
    public void Compute_AccountCreated_TheOwnerGainsEverything()
    {
        var changes = new ChangeSet(Account, new AccountVersion(1, 7), 0, BuiltAt,
        [
            new AccountPut(Account, "Acme"),
            new NodePut(Group(Account, "root", "")),
            new RolePut(Role(Account, "default", PermissionCatalog.CanonicalNames.Select(p => Policy(p)).ToArray())),
            new UserPut(User(Account, "owner", false, "default")),
        ]);
        var after = Compile(ChangeSetApplier.Apply(null, changes));

        var impact = ImpactDiff.Compute(null, new PatchedSnapshot(after, ["owner"], []), changes, 10);

        var owner = Assert.Single(impact.Users);
        Assert.Equal(PermissionCatalog.All, owner.PermissionsGained);
        Assert.All(owner.Permissions, p => Assert.True(!p.HeldBefore && p.HeldAfter));
    }

    [Fact]
    public void Compute_MoreUsersThanTheLimit_ListsTheFirstByIdAndSaysTruncated()
    {
        var before = Fleet(Role(Account, "ops", Policy("device:read", "tag:prod")), Role(Account, "other", Policy("cve:read")));
        var changes = Next(before, new RolePut(Role(Account, "ops", Policy("cve:manage"))));
        var patched = SnapshotPatcher.Apply(Compile(before), changes, BuiltAt);

        var impact = ImpactDiff.Compute(Compile(before), patched, changes, maxUsers: 1);

        Assert.True(impact.Truncated);
        Assert.Equal(2, impact.UsersTotal);
        Assert.Equal("bob", Assert.Single(impact.Users).UserId);
    }

    private static string D(int n) => n.ToString("x64");

    /// <summary>d1, d3 tagged prod; d2, d4 lab; remote access on everywhere. bob and carol hold ops; dave other.</summary>
    private static AccountData Fleet(RoleRecord ops, RoleRecord other)
    {
        var account = new AccountBuilder(Account).Group("root", "");
        for (var i = 0; i < Devices.Length; i++)
        {
            account.Device(Devices[i], "root", false, i % 2 == 0 ? "prod" : "lab");
        }

        return account.Role(ops).Role(other).Role(Role(Account, "default", Policy("device:read")))
            .User("owner", false, "default").User("bob", false, "ops").User("carol", false, "ops").User("dave", false, "other")
            .NodeSetting("root", true).Build(revision: 5);
    }

    private static ChangeSet Next(AccountData before, params Change[] changes) =>
        new(Account, new AccountVersion(6, 99), before.Account.Stamp, BuiltAt, changes);

    private static WriteImpact Diff(AccountData before, ChangeSet changes)
    {
        var snapshot = Compile(before);
        var patched = SnapshotPatcher.Apply(snapshot, changes, BuiltAt);
        var impact = ImpactDiff.Compute(snapshot, patched, changes, int.MaxValue);
        AssertMatchesReference(snapshot, patched, impact);
        return impact;
    }

    /// <summary>Every user of either snapshot: what the impact says of it is what the checks of the two say.</summary>
    private static void AssertMatchesReference(AccountSnapshot before, PatchedSnapshot patched, WriteImpact impact)
    {
        var after = patched.Snapshot;
        var devices = before.DevicesInOrder.Select(d => before.NodeIds[d])
            .Union(after.DevicesInOrder.Select(d => after.NodeIds[d])).Order(StringComparer.Ordinal).ToArray();
        var revoked = patched.UsersWhoseRightsMayHaveShrunk.ToHashSet();
        var listed = impact.Users.ToDictionary(u => u.UserId);
        Assert.Equal(impact.Users.Select(u => u.UserId).Order(StringComparer.Ordinal), impact.Users.Select(u => u.UserId));
        foreach (var userId in before.Users.Keys.Union(after.Users.Keys))
        {
            var expected = Reference(before, after, userId, devices);
            listed.TryGetValue(userId, out var said);
            if (expected.Count == 0)
            {
                Assert.True(said is null ? !revoked.Contains(userId) : said.Permissions.Count == 0 && said.SessionsRevoked, $"{userId}: listed but unchanged");
                continue;
            }

            Assert.True(said is not null, $"{userId}: changed but not listed");
            Assert.Equal(revoked.Contains(userId), said.SessionsRevoked);
            Assert.Equal(expected.Select(e => e.Permission), said.Permissions.Select(p => p.Permission));
            foreach (var (e, s) in expected.Zip(said.Permissions))
            {
                Assert.Equal(
                    (e.HeldBefore, e.HeldAfter, e.DevicesGained, e.DevicesLost, string.Join(',', e.DeviceIdsGained), string.Join(',', e.DeviceIdsLost)),
                    (s.HeldBefore, s.HeldAfter, s.DevicesGained, s.DevicesLost, string.Join(',', s.DeviceIdsGained), string.Join(',', s.DeviceIdsLost)));
            }

            Assert.Equal(expected.Where(e => (!e.HeldBefore && e.HeldAfter) || e.DevicesGained > 0).Select(e => e.Permission), said.PermissionsGained);
            Assert.Equal(expected.Where(e => (e.HeldBefore && !e.HeldAfter) || e.DevicesLost > 0).Select(e => e.Permission), said.PermissionsLost);
        }
    }

    /// <summary>Device by device, through the evaluator (connect: per action, at all and with any parameters).</summary>
    private static List<PermissionReachChange> Reference(AccountSnapshot before, AccountSnapshot after, string userId, string[] devices)
    {
        var changes = new List<PermissionReachChange>();
        foreach (var permission in PermissionCatalog.All)
        {
            var heldBefore = Granted(before, userId, permission, null);
            var heldAfter = Granted(after, userId, permission, null);
            var gained = new List<string>();
            var lost = new List<string>();
            if (PermissionCatalog.IsRestrictable(permission))
            {
                foreach (var device in devices)
                {
                    var was = Reach(before, userId, permission, device);
                    var now = Reach(after, userId, permission, device);
                    if ((now & ~was) != 0)
                    {
                        gained.Add(device);
                    }

                    if ((was & ~now) != 0)
                    {
                        lost.Add(device);
                    }
                }
            }

            if (heldBefore != heldAfter || gained.Count > 0 || lost.Count > 0)
            {
                changes.Add(new PermissionReachChange(permission, heldBefore, heldAfter, gained.Count, lost.Count, gained.Take(20).ToList(), lost.Take(20).ToList()));
            }
        }

        return changes;
    }

    private static bool Granted(AccountSnapshot snapshot, string userId, Permission permission, string? device) =>
        Check(snapshot, userId, PermissionCatalog.NameOf(permission), device, RemoteAccessQuery.None).Reason == DecisionReason.Granted;

    /// <summary>A bit per level: 1 for the check; connect: bit 2a allowed action a at all, 2a+1 with any parameters.</summary>
    private static int Reach(AccountSnapshot snapshot, string userId, Permission permission, string device)
    {
        if (!Granted(snapshot, userId, permission, device))
        {
            return 0;
        }

        if (permission != Permission.RemoteAccessConnect)
        {
            return 1;
        }

        Assert.True(snapshot.TryGetDevice(device, out var node));
        var reach = 0;
        foreach (var grant in snapshot.Users[userId].GrantsFor(permission))
        {
            if (!Evaluator.Covers(grant, snapshot.AncestorsOf(node), snapshot.TagsOf(node)))
            {
                continue;
            }

            for (var action = 1; action <= 4; action++)
            {
                var filter = grant.Filter;
                var atAll = filter.Action == RemoteAction.None || (int)filter.Action == action;
                var any = filter.Action == RemoteAction.None || ((int)filter.Action == action && filter.HasNoOptions);
                reach |= (atAll ? 1 << (2 * (action - 1)) : 0) | (any ? 1 << (2 * (action - 1) + 1) : 0);
            }
        }

        // The check says some action is allowed: the levels above must too.
        Assert.NotEqual(0, reach);
        return reach;
    }
}
