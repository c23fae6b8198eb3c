using System.Text;
using Qbee.Authz.Service.Domain.Resources;
using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.Domain.Evaluation;

/// <summary>
/// Answers checks from a snapshot, in the order of reasons of DOMAIN.md: user not found, user disabled, device
/// not found, permission not granted, device out of scope, action not granted, remote access disabled.
/// Without <c>explain</c> it allocates nothing; with it, it tells the whole path in the builder.
/// </summary>
internal static class Evaluator
{
    private const int EveryAction = (1 << (int)RemoteAction.Console) | (1 << (int)RemoteAction.Tunnel)
        | (1 << (int)RemoteAction.Reload) | (1 << (int)RemoteAction.Copy);

    /// <param name="user">Null when the user does not exist (in this snapshot).</param>
    /// <param name="device">-1: no device named (or a non-restrictable permission, where the device is ignored).</param>
    /// <param name="deviceNamedButMissing">A device was named and is not a device of this account.</param>
    public static Decision Check(
        AccountSnapshot snapshot,
        UserEntry? user,
        Permission permission,
        int device,
        bool deviceNamedButMissing,
        in RemoteAccessQuery query,
        StringBuilder? explain = null)
    {
        var revision = snapshot.Revision;
        if (user is null)
        {
            explain?.Append("User not found in account ").Append(snapshot.AccountId).Append(". ");
            return Decision.Deny(DecisionReason.UserNotFound, revision);
        }

        explain?.Append("User ").Append(user.UserId).Append(" (account ").Append(snapshot.AccountId)
            .Append(", revision ").Append(revision).Append(", roles: ").AppendJoin(", ", user.RoleIds).Append("). ");
        if (user.Disabled)
        {
            explain?.Append("The user is disabled. ");
            return Decision.Deny(DecisionReason.UserDisabled, revision);
        }

        var restrictable = PermissionCatalog.IsRestrictable(permission);
        if (restrictable && deviceNamedButMissing)
        {
            explain?.Append("The device is not a device of this account. ");
            return Decision.Deny(DecisionReason.DeviceNotFound, revision);
        }

        var grants = user.GrantsFor(permission);
        if (grants.Length == 0)
        {
            explain?.Append("No role grants ").Append(PermissionCatalog.NameOf(permission)).Append(". ");
            return Decision.Deny(DecisionReason.PermissionNotGranted, revision);
        }

        if (!restrictable)
        {
            explain?.Append("Granted by role ").Append(grants[0].RoleId).Append(" (").Append(PermissionCatalog.NameOf(permission))
                .Append(" is account-wide). ");
            return new Decision(DecisionReason.Granted, grants[0], false, revision);
        }

        return device < 0
            ? CheckWithoutDevice(grants, query, revision, explain)
            : CheckOnDevice(snapshot, grants, permission, device, query, revision, explain);
    }

    private static Decision CheckWithoutDevice(Grant[] grants, in RemoteAccessQuery query, long revision, StringBuilder? explain)
    {
        Grant? first = null;
        var anyStar = false;
        var starActions = 0;
        foreach (var grant in grants)
        {
            var allows = grant.Filter.AllowsAction(query);
            explain?.Append("Role ").Append(grant.RoleId).Append(" resource '").Append(grant.Resource)
                .Append(allows ? "' allows the action" : "' does not allow the action").Append(". ");
            if (!allows)
            {
                continue;
            }

            first ??= grant;
            if (grant.Filter.Entity == EntityKind.Any)
            {
                anyStar = true;
                starActions |= FullyAllowedActions(grant.Filter);
            }
        }

        // Everywhere: a '*' grant allows the asked action; asked for none, '*' grants allow every action fully.
        var everywhere = query.Action != RemoteAction.None ? anyStar : starActions == EveryAction;

        if (first is null)
        {
            return Decision.Deny(DecisionReason.ActionNotGranted, revision);
        }

        explain?.Append(everywhere ? "Granted on every device. " : "Granted on some devices only (restricted). ");
        return new Decision(DecisionReason.Granted, first, !everywhere, revision);
    }

    private static Decision CheckOnDevice(
        AccountSnapshot snapshot,
        Grant[] grants,
        Permission permission,
        int device,
        in RemoteAccessQuery query,
        long revision,
        StringBuilder? explain)
    {
        var node = snapshot.Node(device);
        var ancestors = node.Ancestors;
        // A tag grant never covers a group (an API call on a group): only * and node: grants do.
        var tags = node.IsDevice ? node.Tags : [];
        explain?.Append(node.IsDevice ? "Device " : "Group ").Append(snapshot.NodeIds[device]).Append(" (path ");
        if (explain is not null)
        {
            for (var i = 0; i < ancestors.Length; i++)
            {
                explain.Append(i == 0 ? string.Empty : " > ").Append(snapshot.NodeIds[ancestors[i]]);
            }

            explain.Append("; tags: ");
            for (var i = 0; i < tags.Length; i++)
            {
                explain.Append(i == 0 ? string.Empty : ", ").Append(snapshot.TagNames[tags[i]]);
            }

            explain.Append("). ");
        }

        var inScope = false;
        var actions = 0;
        Grant? first = null;
        foreach (var grant in grants)
        {
            if (!Covers(grant, ancestors, tags))
            {
                explain?.Append("Role ").Append(grant.RoleId).Append(" resource '").Append(grant.Resource).Append("' does not cover the device. ");
                continue;
            }

            inScope = true;
            if (!grant.Filter.AllowsAction(query))
            {
                explain?.Append("Role ").Append(grant.RoleId).Append(" resource '").Append(grant.Resource)
                    .Append("' covers the device but not the action or its parameters. ");
                continue;
            }

            explain?.Append("Role ").Append(grant.RoleId).Append(" resource '").Append(grant.Resource).Append("' matches. ");
            first ??= grant;
            actions |= FullyAllowedActions(grant.Filter);
        }

        if (!inScope)
        {
            return Decision.Deny(DecisionReason.DeviceOutOfScope, revision);
        }

        if (first is null)
        {
            return Decision.Deny(DecisionReason.ActionNotGranted, revision);
        }

        if (permission == Permission.RemoteAccessConnect && !node.RemoteAccessEnabled)
        {
            explain?.Append("Remote access is not enabled on the device (its own setting, its tags, its groups, or the agent). ");
            return Decision.Deny(DecisionReason.RemoteAccessDisabled, revision);
        }

        var restricted = permission == Permission.RemoteAccessConnect && query.Action == RemoteAction.None && actions != EveryAction;
        return new Decision(DecisionReason.Granted, first, restricted, revision);
    }

    /// <summary>The actions a resource allows with any parameters, as bits: all for no action, none when options narrow it.</summary>
    private static int FullyAllowedActions(ResourceFilter filter) => filter.Action == RemoteAction.None
        ? EveryAction
        : filter.HasNoOptions ? 1 << (int)filter.Action : 0;

    /// <summary>Scope: <c>*</c>, a tag of the device, or a node among its ancestors (itself included).</summary>
    public static bool Covers(Grant grant, ReadOnlySpan<int> ancestors, ReadOnlySpan<int> tags) => grant.Entity switch
    {
        EntityKind.Any => true,
        EntityKind.Tag => grant.EntityId >= 0 && tags.Contains(grant.EntityId),
        _ => grant.EntityId >= 0 && ancestors.Contains(grant.EntityId),
    };
}
