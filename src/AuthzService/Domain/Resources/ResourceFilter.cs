namespace Qbee.Authz.Service.Domain.Resources;

/// <summary>
/// One parsed resource of a policy: an entity (which devices) and, on remote-access:connect, an optional action
/// with its options (what may be done there). Immutable; compiled once when the role is written or loaded.
/// </summary>
internal sealed class ResourceFilter
{
    public static readonly ResourceFilter Everything = new("*", EntityKind.Any, string.Empty, RemoteAction.None, TunnelProtocol.None, null, null, CopyDirection.None, null);

    public ResourceFilter(
        string text,
        EntityKind entity,
        string entityValue,
        RemoteAction action,
        TunnelProtocol protocol,
        PortRange[]? ports,
        string? destination,
        CopyDirection direction,
        string? pathPrefix)
    {
        Text = text;
        Entity = entity;
        EntityValue = entityValue;
        Action = action;
        Protocol = protocol;
        Ports = ports;
        Destination = destination;
        Direction = direction;
        PathPrefix = pathPrefix;
    }

    /// <summary>The resource as written (trimmed): what answers and audit events show.</summary>
    public string Text { get; }

    public EntityKind Entity { get; }

    /// <summary>The tag name or node id; empty for <see cref="EntityKind.Any"/>.</summary>
    public string EntityValue { get; }

    /// <summary><see cref="RemoteAction.None"/>: every action.</summary>
    public RemoteAction Action { get; }

    public TunnelProtocol Protocol { get; }

    public PortRange[]? Ports { get; }

    public string? Destination { get; }

    public CopyDirection Direction { get; }

    public string? PathPrefix { get; }

    /// <summary>Its action (or every action) with any parameters: no option narrows it.</summary>
    public bool HasNoOptions => Protocol == TunnelProtocol.None && Ports is null && Destination is null
        && Direction == CopyDirection.None && PathPrefix is null;

    /// <summary>Every device, every action, no options.</summary>
    public bool IsUnrestricted => Entity == EntityKind.Any && Action == RemoteAction.None;

    /// <summary>
    /// Does this resource allow the action of <paramref name="query"/>? No action in the query asks whether
    /// at least one action is allowed, which every resource does.
    /// </summary>
    public bool AllowsAction(in RemoteAccessQuery query)
    {
        if (Action == RemoteAction.None || query.Action == RemoteAction.None)
        {
            return true;
        }

        if (Action != query.Action)
        {
            return false;
        }

        return Action switch
        {
            RemoteAction.Tunnel => AllowsTunnel(query),
            RemoteAction.Copy => AllowsCopy(query),
            _ => true,
        };
    }

    private bool AllowsTunnel(in RemoteAccessQuery query)
    {
        if (Protocol != TunnelProtocol.None && Protocol != query.Protocol)
        {
            return false;
        }

        if (Destination is not null && !string.Equals(Destination, query.Destination, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (Ports is null)
        {
            return true;
        }

        foreach (var range in Ports)
        {
            if (range.Contains(query.Port))
            {
                return true;
            }
        }

        return false;
    }

    private bool AllowsCopy(in RemoteAccessQuery query)
    {
        if (Direction != CopyDirection.None && Direction != query.Direction)
        {
            return false;
        }

        return PathPrefix is null
            || (query.NormalizedPath is not null && DevicePath.IsUnder(query.NormalizedPath, PathPrefix));
    }

    public override string ToString() => Text;
}
