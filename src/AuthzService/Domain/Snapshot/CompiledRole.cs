using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>
/// A role as stored and its grants compiled per <see cref="Permission"/> (empty arrays for none): kept in the
/// snapshot so that a patch recompiles only the role it changes and that role's holders.
/// </summary>
internal sealed class CompiledRole(RoleRecord record, Grant[][] grantsByPermission)
{
    public RoleRecord Record { get; } = record;

    public Grant[][] GrantsByPermission { get; } = grantsByPermission;
}
