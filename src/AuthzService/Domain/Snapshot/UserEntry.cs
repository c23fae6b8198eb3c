using Qbee.Authz.Service.Domain.Resources;

namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>A user as a check sees it: active or not, and its grants flattened per permission.</summary>
internal sealed class UserEntry(string userId, bool disabled, string[] roleIds, Grant[][] grantsByPermission, IReadOnlyList<string> assignedRoleIds, string email = "")
{
    public string UserId { get; } = userId;

    /// <summary>As stored; checks never read it (ListDeviceUsers answers with it, at the snapshot's revision).</summary>
    public string Email { get; } = email;

    public bool Disabled { get; } = disabled;

    /// <summary>The roles in the user's order; only those that exist.</summary>
    public string[] RoleIds { get; } = roleIds;

    /// <summary>Indexed by <see cref="Permission"/>: the union of the user's roles, in role then policy order.</summary>
    public Grant[][] GrantsByPermission { get; } = grantsByPermission;

    /// <summary>The roles as stored, missing ones included: a patch that adds a missing role recompiles its holders.</summary>
    public IReadOnlyList<string> AssignedRoleIds { get; } = assignedRoleIds;

    public Grant[] GrantsFor(Permission permission) => GrantsByPermission[(int)permission];

    /// <summary>A tag: or node: grant: its reach depends on where devices are and which tags they carry.</summary>
    public bool HasScopedGrant()
    {
        foreach (var grants in GrantsByPermission)
        {
            foreach (var grant in grants)
            {
                if (grant.Entity != EntityKind.Any)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
