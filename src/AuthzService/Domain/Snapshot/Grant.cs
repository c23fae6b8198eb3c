using Qbee.Authz.Service.Domain.Resources;

namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>
/// One resource of one policy of one role, compiled against its account: the entity is an interned tag id
/// or node index (-1 when the account has no such tag or node, so it matches nothing).
/// </summary>
internal sealed class Grant(string roleId, ResourceFilter filter, int entityId)
{
    public string RoleId { get; } = roleId;

    public ResourceFilter Filter { get; } = filter;

    public int EntityId { get; } = entityId;

    /// <summary>The filter's entity kind, held here too so that scope needs no second pointer hop.</summary>
    public EntityKind Entity { get; } = filter.Entity;

    public string Resource => Filter.Text;
}
