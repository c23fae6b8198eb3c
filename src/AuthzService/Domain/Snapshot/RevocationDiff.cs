namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>
/// Which users may have lost a right between two snapshots of an account: deleted or disabled users, users
/// whose roles lost a grant, and, when the fleet changed under unchanged grants (a device moved, lost a tag,
/// lost remote access or was deleted), the users whose grants could be affected. Errs towards naming too many:
/// a gateway re-checks the sessions of the users named, so a missing name is a session that is never cut.
/// </summary>
internal static class RevocationDiff
{
    public static string[] UsersWhoseRightsMayHaveShrunk(AccountSnapshot before, AccountSnapshot after) =>
        UsersWhoseRightsMayHaveShrunk(before, after, before.Users.Keys, before.DevicesInOrder);

    /// <summary>
    /// The same, looking only at the users and the devices a patch touched (<paramref name="users"/>: ids,
    /// <paramref name="devices"/>: node indexes of <paramref name="before"/>; others unchanged by it).
    /// </summary>
    public static string[] UsersWhoseRightsMayHaveShrunk(AccountSnapshot before, AccountSnapshot after, IEnumerable<string> users, IEnumerable<int> devices)
    {
        var named = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var userId in users)
        {
            if (before.Users.TryGetValue(userId, out var old) && !old.Disabled
                && (!after.Users.TryGetValue(userId, out var now) || now.Disabled || LostAGrant(old, now)))
            {
                named.Add(userId);
            }
        }

        var (scopeShrank, remoteAccessLost) = CompareDevices(before, after, devices);
        if (scopeShrank || remoteAccessLost)
        {
            foreach (var (userId, now) in after.Users)
            {
                if (!now.Disabled && ((scopeShrank && now.HasScopedGrant())
                    || (remoteAccessLost && now.GrantsFor(Permission.RemoteAccessConnect).Length > 0)))
                {
                    named.Add(userId);
                }
            }
        }

        return [.. named];
    }

    private static bool LostAGrant(UserEntry before, UserEntry after)
    {
        for (var p = 0; p < PermissionCatalog.Count; p++)
        {
            foreach (var grant in before.GrantsByPermission[p])
            {
                if (!Array.Exists(after.GrantsByPermission[p], g => g.RoleId == grant.RoleId && g.Resource == grant.Resource))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// scopeShrank: a device moved or lost a tag. remoteAccessLost: a device stopped accepting remote access
    /// or was deleted (its open sessions must end).
    /// </summary>
    private static (bool ScopeShrank, bool RemoteAccessLost) CompareDevices(AccountSnapshot before, AccountSnapshot after, IEnumerable<int> devices)
    {
        bool scopeShrank = false, remoteAccessLost = false;
        foreach (var device in devices)
        {
            if (!after.TryGetDevice(before.NodeIds[device], out var now))
            {
                remoteAccessLost = true;
                continue;
            }

            remoteAccessLost |= before.RemoteAccessEnabled(device) && !after.RemoteAccessEnabled(now);
            scopeShrank |= !SameIds(before, before.AncestorsOf(device), after, after.AncestorsOf(now))
                || LostATag(before, before.TagsOf(device), after, after.TagsOf(now));
            if (scopeShrank && remoteAccessLost)
            {
                break;
            }
        }

        return (scopeShrank, remoteAccessLost);
    }

    private static bool SameIds(AccountSnapshot a, ReadOnlySpan<int> left, AccountSnapshot b, ReadOnlySpan<int> right)
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

    private static bool LostATag(AccountSnapshot a, ReadOnlySpan<int> before, AccountSnapshot b, ReadOnlySpan<int> after)
    {
        foreach (var tag in before)
        {
            var name = a.TagNames[tag];
            var kept = false;
            foreach (var other in after)
            {
                kept |= string.Equals(b.TagNames[other], name, StringComparison.Ordinal);
            }

            if (!kept)
            {
                return true;
            }
        }

        return false;
    }
}
