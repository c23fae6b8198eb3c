using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Resources;
using Qbee.Authz.Service.Domain.Evaluation;

namespace Qbee.Authz.Service.UnitTests.Domain;

/// <summary>
/// DOMAIN.md read literally over the store's records: no snapshot, no interning, parents walked on every call.
/// Slow and obvious on purpose; the property tests hold the real evaluator to it.
/// </summary>
internal static class ReferenceEvaluator
{
    private static readonly string[] Restrictable =
        ["device:read", "device:manage", "remote-access:connect", "remote-access:manage", "reports:read", "reports:acknowledge"];

    private static readonly RemoteAction[] EveryAction = [RemoteAction.Console, RemoteAction.Tunnel, RemoteAction.Reload, RemoteAction.Copy];

    public readonly record struct Answer(DecisionReason Reason, bool Restricted)
    {
        public bool Allowed => Reason == DecisionReason.Granted;
    }

    /// <param name="anyNode">The target may be a group (an API call's {node_id}); else it must be a device.</param>
    public static Answer Check(AccountData data, string userId, string permission, string? target, RemoteAccessQuery query, bool anyNode)
    {
        var canonical = permission == "reports:markread" ? "reports:acknowledge" : permission;
        var user = data.Users.FirstOrDefault(u => u.UserId == userId);
        if (user is null)
        {
            return new(DecisionReason.UserNotFound, false);
        }

        if (user.Status == UserState.Disabled)
        {
            return new(DecisionReason.UserDisabled, false);
        }

        var restrictable = Restrictable.Contains(canonical);
        NodeRecord? node = null;
        if (restrictable && target is not null)
        {
            node = data.Nodes.FirstOrDefault(n => n.NodeId == target);
            if (node is null || (!anyNode && node.Kind != NodeKind.Device))
            {
                return new(DecisionReason.DeviceNotFound, false);
            }
        }

        var grants = new List<ResourceFilter>();
        foreach (var roleId in user.RoleIds)
        {
            var role = data.Roles.FirstOrDefault(r => r.RoleId == roleId);
            foreach (var policy in role?.Policies ?? [])
            {
                var name = policy.Permission == "reports:markread" ? "reports:acknowledge" : policy.Permission;
                if (name != canonical)
                {
                    continue;
                }

                if (policy.Resources.Count == 0)
                {
                    grants.Add(ResourceParser.Parse("*", false));
                    continue;
                }

                foreach (var text in policy.Resources)
                {
                    ResourceFilter filter;
                    try
                    {
                        filter = ResourceParser.Parse(text, canonical == "remote-access:connect");
                    }
                    catch (ResourceSyntaxException)
                    {
                        continue; // a stored resource that no longer parses grants nothing
                    }

                    if (restrictable || (filter.Entity == EntityKind.Any && filter.Action == RemoteAction.None))
                    {
                        grants.Add(filter);
                    }
                }
            }
        }

        if (grants.Count == 0)
        {
            return new(DecisionReason.PermissionNotGranted, false);
        }

        if (!restrictable)
        {
            return new(DecisionReason.Granted, false);
        }

        if (node is null)
        {
            var allowing = grants.Where(g => AllowsAction(g, query)).ToList();
            if (allowing.Count == 0)
            {
                return new(DecisionReason.ActionNotGranted, false);
            }

            // Covers every device (and, for a connect check without action, every action) only through a '*' grant.
            var star = allowing.Where(g => g.Entity == EntityKind.Any).ToList();
            var everywhere = query.Action != RemoteAction.None ? star.Count > 0 : AllowsEveryAction(star);
            return new(DecisionReason.Granted, !everywhere);
        }

        var ancestors = new List<string>();
        for (var n = node; n is not null; n = data.Nodes.FirstOrDefault(p => p.NodeId == n.ParentId))
        {
            if (ancestors.Contains(n.NodeId))
            {
                break;
            }

            ancestors.Add(n.NodeId);
        }

        var deviceTags = node.Kind == NodeKind.Device ? node.Tags : [];
        var inScope = grants.Where(g => g.Entity switch
        {
            EntityKind.Any => true,
            EntityKind.Tag => deviceTags.Contains(g.EntityValue),
            _ => ancestors.Contains(g.EntityValue),
        }).ToList();
        if (inScope.Count == 0)
        {
            return new(DecisionReason.DeviceOutOfScope, false);
        }

        var matching = inScope.Where(g => AllowsAction(g, query)).ToList();
        if (matching.Count == 0)
        {
            return new(DecisionReason.ActionNotGranted, false);
        }

        if (canonical == "remote-access:connect" && !RemoteAccessEnabled(data, node, ancestors))
        {
            return new(DecisionReason.RemoteAccessDisabled, false);
        }

        var restricted = canonical == "remote-access:connect" && query.Action == RemoteAction.None && !AllowsEveryAction(matching);
        return new(DecisionReason.Granted, restricted);
    }

    /// <summary>Every action with every parameter: a grant without action, or one unrestricted grant per action.</summary>
    public static bool AllowsEveryAction(IReadOnlyList<ResourceFilter> grants) =>
        grants.Any(g => g.Action == RemoteAction.None)
        || EveryAction.All(a => grants.Any(g => g.Action == a && g.Protocol == TunnelProtocol.None && g.Ports is null
            && g.Destination is null && g.Direction == CopyDirection.None && g.PathPrefix is null));

    public static bool AllowsAction(ResourceFilter grant, RemoteAccessQuery query)
    {
        if (query.Action == RemoteAction.None || grant.Action == RemoteAction.None)
        {
            return true;
        }

        if (grant.Action != query.Action)
        {
            return false;
        }

        if (grant.Action == RemoteAction.Tunnel)
        {
            return (grant.Protocol == TunnelProtocol.None || grant.Protocol == query.Protocol)
                && (grant.Ports is null || (query.Port != 0 && grant.Ports.Any(r => r.From <= query.Port && query.Port <= r.To)))
                && (grant.Destination is null || grant.Destination == query.Destination);
        }

        if (grant.Action == RemoteAction.Copy)
        {
            var path = query.NormalizedPath;
            return (grant.Direction == CopyDirection.None || grant.Direction == query.Direction)
                && (grant.PathPrefix is null
                    || (path is not null && (grant.PathPrefix == "/" || path == grant.PathPrefix || path.StartsWith(grant.PathPrefix + "/", StringComparison.Ordinal))));
        }

        return true;
    }

    /// <summary>Own setting, else the most recently changed tag setting, else the nearest group's, else off; the agent flag wins.</summary>
    public static bool RemoteAccessEnabled(AccountData data, NodeRecord device, List<string> selfThenAncestors)
    {
        if (device.AgentRemoteAccessDisabled)
        {
            return false;
        }

        var own = data.RemoteAccessSettings.LastOrDefault(s => s.TargetKind == RemoteAccessTarget.Node && s.Target == device.NodeId);
        if (own is not null)
        {
            return own.Enabled;
        }

        var fromTag = data.RemoteAccessSettings
            .Where(s => s.TargetKind == RemoteAccessTarget.Tag && device.Tags.Contains(s.Target))
            .OrderByDescending(s => s.ChangedRevision)
            .FirstOrDefault();
        if (fromTag is not null)
        {
            return fromTag.Enabled;
        }

        foreach (var group in selfThenAncestors.Skip(1))
        {
            var setting = data.RemoteAccessSettings.LastOrDefault(s => s.TargetKind == RemoteAccessTarget.Node && s.Target == group);
            if (setting is not null)
            {
                return setting.Enabled;
            }
        }

        return false;
    }
}
