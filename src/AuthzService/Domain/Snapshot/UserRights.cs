namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>Compares two users' entries of two snapshots by what they name, not by the snapshots' indexes.</summary>
internal static class UserRights
{
    public static bool Same(AccountSnapshot a, UserEntry left, AccountSnapshot b, UserEntry right)
    {
        if (left.Disabled != right.Disabled || !left.RoleIds.AsSpan().SequenceEqual(right.RoleIds)
            || !left.AssignedRoleIds.SequenceEqual(right.AssignedRoleIds, StringComparer.Ordinal))
        {
            return false;
        }

        for (var p = 0; p < left.GrantsByPermission.Length; p++)
        {
            var l = left.GrantsByPermission[p];
            var r = right.GrantsByPermission[p];
            if (l.Length != r.Length)
            {
                return false;
            }

            for (var i = 0; i < l.Length; i++)
            {
                if (!string.Equals(l[i].RoleId, r[i].RoleId, StringComparison.Ordinal)
                    || !string.Equals(l[i].Resource, r[i].Resource, StringComparison.Ordinal)
                    || !string.Equals(EntityName(a, l[i]), EntityName(b, r[i]), StringComparison.Ordinal))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>The tag or node a grant resolved to, by name (null: nothing, or no entity).</summary>
    public static string? EntityName(AccountSnapshot snapshot, Grant grant) => grant.EntityId < 0 ? null : grant.Entity switch
    {
        Resources.EntityKind.Tag => snapshot.TagNames[grant.EntityId],
        Resources.EntityKind.Node => snapshot.NodeIds[grant.EntityId],
        _ => null,
    };
}
