using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Changes;
using Qbee.Authz.Service.Domain.Model;
using static Qbee.Authz.TestKit.Accounts.AccountRecords;

namespace Qbee.Authz.Service.UnitTests.Domain;

/// <summary>
/// Random admin writes as the store would commit them, over a seeded <see cref="Random"/>: each a change set onto
/// <see cref="Rows"/> (kept by <see cref="ChangeSetApplier"/>, the reference). Only writes the store accepts:
/// parents exist and are groups, no cycles, depth at most 32, a role deleted only when no user names it, a node
/// deleted only when nothing is below it (its setting cleared with it), settings stamped with the revision.
/// </summary>
internal sealed class RandomWrites
{
    private static readonly string[] TagPool = ["t0", "t1", "t2", "t3", "t4"];
    private static readonly string[] RoleIds = ["r0", "r1", "r2", "r3", "r4", "r5"];
    private static readonly string[] UserIds = ["owner", "u1", "u2", "u3", "u4", "u5", "u6"];
    private static readonly string[] Fixed = ["root", "unassigned_group"];

    private readonly string _account;
    private readonly HashSet<string> _deleted = new(StringComparer.Ordinal);
    private int _nextGroup;

    public RandomWrites(int seed, string account)
    {
        Gen = new RandomAccounts(seed);
        _account = account;
        Rows = ChangeSetApplier.Apply(null, new ChangeSet(account, new AccountVersion(1, Random.NextInt64()), 0, DateTimeOffset.UnixEpoch,
        [
            new AccountPut(account, "Acme"),
            new NodePut(Group(account, "root", "")),
            new NodePut(Group(account, "unassigned_group", "root")),
            new RolePut(Role(account, "default", Policy("device:read"))),
            new UserPut(User(account, "owner", false, "default")),
        ]));
    }

    public RandomAccounts Gen { get; }

    public Random Random => Gen.Random;

    public AccountData Rows { get; private set; }

    /// <summary>Node ids deleted at some point (maybe added again since).</summary>
    public IReadOnlyCollection<string> Deleted => _deleted;

    public string Last { get; private set; } = "";

    private T Pick<T>(IReadOnlyList<T> items) => items[Random.Next(items.Count)];

    private bool Chance(double p) => Random.NextDouble() < p;

    /// <summary>A bulk first write: nested groups, devices under them, tags, roles, users and settings.</summary>
    public ChangeSet Seed()
    {
        var work = new Work(this);
        for (var i = Random.Next(3, 10); i > 0; i--)
        {
            work.Do(AddGroup);
        }

        for (var i = Random.Next(4, 16); i > 0; i--)
        {
            work.Do(AddDevice);
        }

        for (var i = Random.Next(1, 5); i > 0; i--)
        {
            work.Do(PutRole);
        }

        for (var i = Random.Next(1, 6); i > 0; i--)
        {
            work.Do(PutUser);
        }

        for (var i = Random.Next(0, 6); i > 0; i--)
        {
            work.Do(SetRemoteAccess);
        }

        return Commit(work, "seed");
    }

    public ChangeSet Next()
    {
        var work = new Work(this);
        var steps = Chance(0.2) ? Random.Next(2, 5) : 1;
        var names = new List<string>();
        for (var i = 0; i < steps; i++)
        {
            Func<AccountData, List<Change>, bool> write = Random.Next(20) switch
            {
                0 or 1 => AddGroup,
                2 or 3 => AddDevice,
                4 or 5 => MoveDevice,
                6 or 7 => MoveGroup,
                8 or 9 => Retag,
                10 => ToggleAgentFlag,
                11 => DeleteDevice,
                12 => DeleteGroup,
                13 or 14 => PutRole,
                15 => DeleteRole,
                16 => PutUser,
                17 => DeleteUser,
                _ => SetRemoteAccess,
            };
            if (work.Do(write))
            {
                names.Add(write.Method.Name);
            }
        }

        return Commit(work, string.Join("+", names));
    }

    private ChangeSet Commit(Work work, string name)
    {
        var changes = new ChangeSet(
            _account, new AccountVersion(Rows.Account.Revision + 1, Random.NextInt64()), Rows.Account.Stamp, DateTimeOffset.UnixEpoch, work.Changes);
        Rows = ChangeSetApplier.Apply(Rows, changes);
        Last = $"{name}: {string.Join("; ", changes.Changes)}";
        return changes;
    }

    private long Revision => Rows.Account.Revision + 1;

    private static List<NodeRecord> Groups(AccountData rows) => [.. rows.Nodes.Where(n => n.Kind == NodeKind.Group)];

    private static List<NodeRecord> Devices(AccountData rows) => [.. rows.Nodes.Where(n => n.Kind == NodeKind.Device)];

    private static int Depth(AccountData rows, string id)
    {
        var parents = rows.Nodes.ToDictionary(n => n.NodeId, n => n.ParentId);
        var depth = 0;
        while (parents.TryGetValue(id, out var parent) && parent.Length > 0)
        {
            depth++;
            id = parent;
        }

        return depth;
    }

    private static HashSet<string> Subtree(AccountData rows, string id)
    {
        var below = new HashSet<string>(StringComparer.Ordinal) { id };
        bool grew;
        do
        {
            grew = false;
            foreach (var node in rows.Nodes)
            {
                if (below.Contains(node.ParentId) && below.Add(node.NodeId))
                {
                    grew = true;
                }
            }
        }
        while (grew);
        return below;
    }

    private static int Height(AccountData rows, string id) =>
        Subtree(rows, id).Max(n => Depth(rows, n)) - Depth(rows, id);

    private string[] Tags() =>
        Chance(0.1) ? [Pick(TagPool), Pick(TagPool)] : [.. TagPool.Where(_ => Chance(0.3))];

    private string FreshId(NodeKind kind, AccountData rows)
    {
        var again = _deleted.Where(id => (kind == NodeKind.Device) == Ids.IsDeviceId(id) && rows.Nodes.All(n => n.NodeId != id)).ToList();
        if (again.Count > 0 && Chance(0.3))
        {
            return Pick(again);
        }

        return kind == NodeKind.Device ? Gen.DeviceId() : $"g{_nextGroup++}";
    }

    private bool AddGroup(AccountData rows, List<Change> changes)
    {
        var parents = Groups(rows).Where(g => Depth(rows, g.NodeId) < 7).ToList();
        changes.Add(new NodePut(Group(_account, FreshId(NodeKind.Group, rows), Pick(parents).NodeId, Tags())));
        return true;
    }

    private bool AddDevice(AccountData rows, List<Change> changes)
    {
        changes.Add(new NodePut(Device(_account, FreshId(NodeKind.Device, rows), Pick(Groups(rows)).NodeId, Chance(0.1), Tags())));
        return true;
    }

    private bool MoveDevice(AccountData rows, List<Change> changes)
    {
        var devices = Devices(rows);
        if (devices.Count == 0)
        {
            return false;
        }

        changes.Add(new NodePut(Pick(devices) with { ParentId = Pick(Groups(rows)).NodeId }));
        return true;
    }

    private bool MoveGroup(AccountData rows, List<Change> changes)
    {
        var movable = Groups(rows).Where(g => !Fixed.Contains(g.NodeId)).ToList();
        if (movable.Count == 0)
        {
            return false;
        }

        var group = Pick(movable);
        var below = Subtree(rows, group.NodeId);
        var height = Height(rows, group.NodeId);
        var targets = Groups(rows).Where(g => !below.Contains(g.NodeId) && Depth(rows, g.NodeId) + 1 + height <= 32).ToList();
        changes.Add(new NodePut(group with { ParentId = Pick(targets).NodeId, Tags = Chance(0.2) ? Tags() : group.Tags }));
        return true;
    }

    private bool Retag(AccountData rows, List<Change> changes)
    {
        changes.Add(new NodePut(Pick(rows.Nodes) with { Tags = Tags() }));
        return true;
    }

    private bool ToggleAgentFlag(AccountData rows, List<Change> changes)
    {
        var devices = Devices(rows);
        if (devices.Count == 0)
        {
            return false;
        }

        var device = Pick(devices);
        changes.Add(new NodePut(device with { AgentRemoteAccessDisabled = !device.AgentRemoteAccessDisabled }));
        return true;
    }

    private bool DeleteDevice(AccountData rows, List<Change> changes) => DeleteNode(rows, Devices(rows), changes);

    private bool DeleteGroup(AccountData rows, List<Change> changes) =>
        DeleteNode(rows, [.. Groups(rows).Where(g => !Fixed.Contains(g.NodeId) && rows.Nodes.All(n => n.ParentId != g.NodeId))], changes);

    private bool DeleteNode(AccountData rows, List<NodeRecord> candidates, List<Change> changes)
    {
        if (candidates.Count == 0)
        {
            return false;
        }

        var node = Pick(candidates);
        changes.Add(new NodeDeleted(node.NodeId));
        _deleted.Add(node.NodeId);
        if (Chance(0.7) || rows.RemoteAccessSettings.Any(s => s.TargetKind == RemoteAccessTarget.Node && s.Target == node.NodeId))
        {
            changes.Add(new RemoteAccessChanged(RemoteAccessTarget.Node, node.NodeId, null, Revision));
        }

        return true;
    }

    private bool PutRole(AccountData rows, List<Change> changes)
    {
        // Grants may name nodes gone or not yet there: they resolve when the node comes (back).
        var named = rows.Nodes.Concat(_deleted.Select(id => Group(_account, id, "root"))).Append(Group(_account, $"g{_nextGroup}", "root")).ToList();
        var role = Gen.RandomRole(_account, Pick(RoleIds), named);
        if (Chance(0.1))
        {
            role = role with { Policies = [.. role.Policies, Policy("remote-access:connect", "tag:t4/console", "node:unassigned_group/tunnel(port=22)")] };
        }

        changes.Add(new RolePut(role));
        return true;
    }

    private bool DeleteRole(AccountData rows, List<Change> changes)
    {
        var unassigned = rows.Roles.Where(r => rows.Users.All(u => !u.RoleIds.Contains(r.RoleId))).ToList();
        if (unassigned.Count == 0)
        {
            return false;
        }

        changes.Add(new RoleDeleted(Pick(unassigned).RoleId));
        return true;
    }

    private bool PutUser(AccountData rows, List<Change> changes)
    {
        var roles = rows.Roles.Select(r => r.RoleId).Where(_ => Chance(0.4)).ToList();
        if (Chance(0.15))
        {
            roles.Add(Pick(RoleIds)); // maybe a role not there yet, maybe a repeat
        }

        changes.Add(new UserPut(User(_account, Pick(UserIds), Chance(0.15), [.. roles.OrderBy(_ => Random.Next())])));
        return true;
    }

    private bool DeleteUser(AccountData rows, List<Change> changes)
    {
        if (rows.Users.Count == 0)
        {
            return false;
        }

        changes.Add(new UserDeleted(Pick(rows.Users).UserId));
        return true;
    }

    private bool SetRemoteAccess(AccountData rows, List<Change> changes)
    {
        bool? enabled = Random.Next(3) switch { 0 => null, 1 => false, _ => true };
        var change = Random.Next(5) switch
        {
            0 => new RemoteAccessChanged(RemoteAccessTarget.Node, "root", enabled, Revision),
            1 => new RemoteAccessChanged(RemoteAccessTarget.Node, Pick(Groups(rows)).NodeId, enabled, Revision),
            2 or 3 when Devices(rows).Count > 0 => new RemoteAccessChanged(RemoteAccessTarget.Node, Pick(Devices(rows)).NodeId, enabled, Revision),
            _ => new RemoteAccessChanged(RemoteAccessTarget.Tag, Chance(0.1) ? "t8" : Pick(TagPool), enabled, Revision), // t8: on no node
        };
        changes.Add(change);
        return true;
    }

    /// <summary>The changes of one write so far, and the rows they make: a later step of the write sees the earlier.</summary>
    private sealed class Work(RandomWrites writes)
    {
        public List<Change> Changes { get; } = [];

        public bool Do(Func<AccountData, List<Change>, bool> write)
        {
            var rows = Changes.Count == 0 ? writes.Rows : ChangeSetApplier.Apply(
                writes.Rows,
                new ChangeSet(writes._account, new AccountVersion(writes.Revision, 0), writes.Rows.Account.Stamp, DateTimeOffset.UnixEpoch, Changes));
            return write(rows, Changes);
        }
    }
}
