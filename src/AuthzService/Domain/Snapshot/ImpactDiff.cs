using Qbee.Authz.Service.Domain.Changes;

namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>
/// What a change set does to each user's rights: the snapshot before it against the one
/// <see cref="SnapshotPatcher"/> made from it (the WatchRevocations path), compared per permission as device
/// bitsets (<see cref="RightsComparer"/>). Users with the same roles and status have the same rights, so each
/// distinct (before, after) pair of role sets is compared once. Only the users the change set can reach are
/// compared: those it writes and the holders of the roles it writes over every device; when it changes the fleet
/// (nodes, remote access) every user, over the devices whose facts changed.
/// </summary>
internal static class ImpactDiff
{
    /// <summary>Device ids listed per permission and direction.</summary>
    public const int ListedDevices = 20;

    /// <param name="before">The snapshot at <c>changes.Previous</c>; null for the account's creation.</param>
    /// <param name="patched">The snapshot after <paramref name="changes"/>, and whom a real write would revoke.</param>
    /// <param name="maxUsers">Users listed at most (the first by id); all are compared and counted.</param>
    public static WriteImpact Compute(AccountSnapshot? before, PatchedSnapshot patched, ChangeSet changes, int maxUsers)
    {
        var after = patched.Snapshot;
        var space = DeviceSpace.Of(before, after);
        var comparer = new RightsComparer(space, new DeviceSets(before, space.BeforeNodes, space), new DeviceSets(after, space.AfterNodes, space));
        var reach = Reach.Of(changes, before is null);
        var allWords = Enumerable.Range(0, space.Words).ToArray();
        var dirtyWords = reach.Fleet ? DirtyWords(before, after, space) : [];
        var revoked = new HashSet<string>(patched.UsersWhoseRightsMayHaveShrunk, StringComparer.Ordinal);

        var userIds = new SortedSet<string>(after.Users.Keys, StringComparer.Ordinal);
        if (before is not null)
        {
            userIds.UnionWith(before.Users.Keys);
        }

        var compared = new Dictionary<(string? Before, string? After, bool Everywhere), RightsChange>();
        var listed = new List<UserRightsChange>();
        var total = 0;
        foreach (var userId in userIds)
        {
            var old = before?.Users.GetValueOrDefault(userId);
            var now = after.Users.GetValueOrDefault(userId);
            var everywhere = reach.Everything || reach.Users.Contains(userId) || reach.HoldsRole(old) || reach.HoldsRole(now);
            var change = RightsChange.None;
            if (everywhere || dirtyWords.Length > 0)
            {
                var words = everywhere ? allWords : dirtyWords;
                var key = (ClassOf(old), ClassOf(now), everywhere);
                if (!compared.TryGetValue(key, out change!))
                {
                    compared[key] = change = comparer.Compare(old, now, words);
                }
            }

            var sessionsRevoked = revoked.Contains(userId);
            if (change.Permissions.Count == 0 && !sessionsRevoked)
            {
                continue;
            }

            // Counted past the limit too: the answer says how many it leaves out.
            if (total++ >= maxUsers)
            {
                continue;
            }

            listed.Add(new UserRightsChange(
                userId, change.Gained, change.Lost, change.DevicesGained, change.DevicesLost, sessionsRevoked, change.Permissions));
        }

        return new WriteImpact(listed, total);
    }

    /// <summary>Users of one class have the same rights: a disabled (or absent) user holds nothing, else its roles count.</summary>
    private static string? ClassOf(UserEntry? user)
    {
        if (user is null || user.Disabled)
        {
            return null;
        }

        if (user.RoleIds.Length == 1)
        {
            return user.RoleIds[0];
        }

        var roles = user.RoleIds.ToArray();
        Array.Sort(roles, StringComparer.Ordinal);
        return string.Join('\n', roles);
    }

    /// <summary>
    /// The words of the device space that hold a device whose facts differ between the snapshots: added, deleted,
    /// moved (its chain of groups by id), retagged (its tags by name) or its remote access switched.
    /// </summary>
    private static int[] DirtyWords(AccountSnapshot? before, AccountSnapshot after, DeviceSpace space)
    {
        var words = new List<int>();
        for (var position = 0; position < space.Count; position++)
        {
            if (words.Count > 0 && words[^1] == position >> 6)
            {
                continue;
            }

            var b = space.BeforeNodes[position];
            var a = space.AfterNodes[position];
            if (before is null || b < 0 || a < 0 || before.RemoteAccessEnabled(b) != after.RemoteAccessEnabled(a)
                || !SameChain(before, before.AncestorsOf(b), after, after.AncestorsOf(a))
                || !SameTags(before, before.TagsOf(b), after, after.TagsOf(a)))
            {
                words.Add(position >> 6);
            }
        }

        return [.. words];
    }

    private static bool SameChain(AccountSnapshot a, ReadOnlySpan<int> left, AccountSnapshot b, ReadOnlySpan<int> right)
    {
        if (left.Length != right.Length)
        {
            return false;
        }

        for (var i = 0; i < left.Length; i++)
        {
            if (!string.Equals(a.NodeIds[left[i]], b.NodeIds[right[i]], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameTags(AccountSnapshot a, ReadOnlySpan<int> left, AccountSnapshot b, ReadOnlySpan<int> right)
    {
        if (left.Length != right.Length)
        {
            return false;
        }

        foreach (var tag in left)
        {
            var found = false;
            foreach (var other in right)
            {
                found |= string.Equals(a.TagNames[tag], b.TagNames[other], StringComparison.Ordinal);
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whom a change set can reach: the users it writes, the roles it writes, the fleet.</summary>
    private sealed record Reach(bool Everything, HashSet<string> Users, HashSet<string> Roles, bool Fleet)
    {
        public static Reach Of(ChangeSet changes, bool created)
        {
            var users = new HashSet<string>(StringComparer.Ordinal);
            var roles = new HashSet<string>(StringComparer.Ordinal);
            var fleet = false;
            foreach (var change in changes.Changes)
            {
                switch (change)
                {
                    case UserPut put:
                        users.Add(put.User.UserId);
                        break;
                    case UserDeleted deleted:
                        users.Add(deleted.UserId);
                        break;
                    case RolePut put:
                        roles.Add(put.Role.RoleId);
                        break;
                    case RoleDeleted deleted:
                        roles.Add(deleted.RoleId);
                        break;
                    case NodePut or NodeDeleted or RemoteAccessChanged:
                        fleet = true;
                        break;
                }
            }

            return new Reach(created, users, roles, fleet);
        }

        public bool HoldsRole(UserEntry? user)
        {
            if (user is null || Roles.Count == 0)
            {
                return false;
            }

            foreach (var roleId in user.AssignedRoleIds)
            {
                if (Roles.Contains(roleId))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
