using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Evaluation;
using Qbee.Authz.Service.Domain.Resources;
using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.Checks;

/// <summary>
/// The questions of API services and the UI: which part of the fleet a permission covers (as a filter or as
/// a list of devices) and which permissions and UI elements a user has.
/// </summary>
internal sealed class ScopeQueries(UserResolver users)
{
    public async Task<ScopeResult> ResolveScopeAsync(ScopeQuery query, CancellationToken cancellationToken)
    {
        var (snapshot, user) = await users.ResolveAsync(query.UserId, query.MinRevision, cancellationToken);
        var revision = snapshot?.Revision ?? 0;
        if (snapshot is null || user is null)
        {
            return ScopeResult.Denied(revision, DecisionReason.UserNotFound);
        }

        if (user.Disabled)
        {
            return ScopeResult.Denied(revision, DecisionReason.UserDisabled);
        }

        var grants = user.GrantsFor(query.Permission);
        if (grants.Length == 0)
        {
            return ScopeResult.Denied(revision, DecisionReason.PermissionNotGranted);
        }

        if (!PermissionCatalog.IsRestrictable(query.Permission) || grants.Any(g => g.Filter.Entity == EntityKind.Any))
        {
            return new ScopeResult(revision, DecisionReason.Granted, Unrestricted: true, [], []);
        }

        return new ScopeResult(
            revision,
            DecisionReason.Granted,
            Unrestricted: false,
            [.. grants.Where(g => g.Filter.Entity == EntityKind.Tag).Select(g => g.Filter.EntityValue).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            [.. grants.Where(g => g.Filter.Entity == EntityKind.Node).Select(g => g.Filter.EntityValue).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);
    }

    public async Task<DevicePage> ListAllowedDevicesAsync(DeviceListQuery query, CancellationToken cancellationToken)
    {
        var (snapshot, user) = await users.ResolveAsync(query.UserId, query.MinRevision, cancellationToken);
        var revision = snapshot?.Revision ?? 0;
        if (snapshot is null || user is null || user.Disabled || user.GrantsFor(query.Permission).Length == 0)
        {
            return new DevicePage(revision, [], More: false);
        }

        var deviceIds = new List<string>();
        var devices = snapshot.DevicesInOrder;
        var start = query.After.Length == 0 ? 0 : FirstAfter(snapshot.NodeIds, devices, query.After);
        for (var i = start; i < devices.Length; i++)
        {
            if (Evaluator.Check(snapshot, user, query.Permission, devices[i], false, query.RemoteAccess).Allowed)
            {
                if (deviceIds.Count == query.PageSize)
                {
                    return new DevicePage(revision, deviceIds, More: true);
                }

                deviceIds.Add(snapshot.NodeIds[devices[i]]);
            }
        }

        return new DevicePage(revision, deviceIds, More: false);
    }

    public async Task<EffectivePermissions> GetEffectivePermissionsAsync(EffectivePermissionsQuery query, CancellationToken cancellationToken)
    {
        var (snapshot, user) = await users.ResolveAsync(query.UserId, query.MinRevision, cancellationToken);
        var revision = snapshot?.Revision ?? 0;
        if (snapshot is null || user is null)
        {
            return new EffectivePermissions(revision, [], []);
        }

        var device = -1;
        var missing = query.DeviceId.Length > 0 && !snapshot.TryGetDevice(query.DeviceId, out device);
        var held = new HashSet<Permission>();
        var names = new List<string>();
        foreach (var permission in PermissionCatalog.All)
        {
            if (Evaluator.Check(snapshot, user, permission, missing ? -1 : device, missing, RemoteAccessQuery.None).Allowed)
            {
                held.Add(permission);
                names.Add(PermissionCatalog.NameOf(permission));
            }
        }

        return new EffectivePermissions(revision, names, [.. UiElementTable.Elements.Where(e => e.Permissions.All(held.Contains)).Select(e => e.Name)]);
    }

    /// <summary>The position of the first device whose id sorts after <paramref name="after"/> (which may be gone).</summary>
    private static int FirstAfter(NodeIdList nodeIds, int[] devices, string after)
    {
        int low = 0, high = devices.Length;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (string.CompareOrdinal(nodeIds[devices[mid]], after) <= 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }
}
