using Qbee.Authz.Service.Domain.Changes;

namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>
/// The users whose rights one committed change set may have shrunk, told from the change set and a later snapshot
/// alone (the snapshot before it is gone: a WatchRevocations replay from the change log). Without the state before,
/// every change that could have taken something away names whom it could have touched: a user put or deleted names
/// that user; a role put or deleted names its holders now and the users the change set names; a node put or deleted
/// names the users with tag: or node: grants (where devices are and which tags they carry decides their reach), and
/// the users with a connect grant when a device was deleted or may have lost remote access; remote access turned
/// off or cleared names the users with a connect grant. Errs towards naming too many, never too few.
/// </summary>
internal static class ChangeSetRevocations
{
    /// <param name="now">A snapshot of the same account at the change set's revision or later.</param>
    /// <returns>Sorted, ordinal; empty when nothing could have been taken away.</returns>
    public static string[] UsersWhoseRightsMayHaveShrunk(ChangeSet changes, AccountSnapshot now)
    {
        var users = new SortedSet<string>(StringComparer.Ordinal);
        var roles = new HashSet<string>(StringComparer.Ordinal);
        bool scopeMayHaveShrunk = false, remoteAccessMayHaveShrunk = false;
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
                case NodePut:
                    // Moved, retagged or reflagged from an unknown before: it may have lost scope and remote access at
                    // this revision even if a later one gave them back (the snapshot is the replay's end, not this revision).
                    scopeMayHaveShrunk = remoteAccessMayHaveShrunk = true;
                    break;
                case NodeDeleted:
                    scopeMayHaveShrunk = remoteAccessMayHaveShrunk = true;
                    break;
                case RemoteAccessChanged setting:
                    remoteAccessMayHaveShrunk |= setting.Enabled != true;
                    break;
                case AccountPut:
                    break;
                default:
                    throw new InvalidOperationException($"unknown change {change.GetType().Name}");
            }
        }

        if (roles.Count > 0 || scopeMayHaveShrunk || remoteAccessMayHaveShrunk)
        {
            foreach (var (userId, user) in now.Users)
            {
                if (HoldsAny(user, roles)
                    || (!user.Disabled && scopeMayHaveShrunk && user.HasScopedGrant())
                    || (!user.Disabled && remoteAccessMayHaveShrunk && user.GrantsFor(Permission.RemoteAccessConnect).Length > 0))
                {
                    users.Add(userId);
                }
            }
        }

        return [.. users];
    }

    private static bool HoldsAny(UserEntry user, HashSet<string> roles)
    {
        if (roles.Count > 0)
        {
            foreach (var roleId in user.RoleIds)
            {
                if (roles.Contains(roleId))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
