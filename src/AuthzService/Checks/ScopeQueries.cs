using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Evaluation;
using Qbee.Authz.Service.Domain.Resources;
using Qbee.Authz.Service.Grpc;
using Qbee.Authz.Service.Hosting;
using Qbee.Authz.V1;
using DecisionReason = Qbee.Authz.V1.DecisionReason;

namespace Qbee.Authz.Service.Checks;

/// <summary>
/// The questions of API services and the UI: which part of the fleet a permission covers (as a filter or as
/// a list of devices) and which permissions and UI elements a user has.
/// </summary>
internal sealed class ScopeQueries(UserResolver users, IOptions<LimitsOptions> limits)
{
    public async Task<ResolveScopeResponse> ResolveScopeAsync(ResolveScopeRequest request, CancellationToken cancellationToken)
    {
        Ids.RequireId(request.UserId, "user_id");
        var permission = PermissionCatalog.Require(request.Permission, "permission");
        var (snapshot, user) = await users.ResolveAsync(request.UserId, UserResolver.ToRevision(request.MinRevision), cancellationToken).ConfigureAwait(false);
        var response = new ResolveScopeResponse { Revision = (ulong)(snapshot?.Revision ?? 0) };
        if (snapshot is null || user is null)
        {
            response.Reason = DecisionReason.UserNotFound;
            return response;
        }

        if (user.Disabled)
        {
            response.Reason = DecisionReason.UserDisabled;
            return response;
        }

        var grants = user.GrantsFor(permission);
        if (grants.Length == 0)
        {
            response.Reason = DecisionReason.PermissionNotGranted;
            return response;
        }

        response.Granted = true;
        response.Reason = DecisionReason.Granted;
        if (!PermissionCatalog.IsRestrictable(permission) || grants.Any(g => g.Filter.Entity == EntityKind.Any))
        {
            response.Unrestricted = true;
            return response;
        }

        response.Tags.AddRange(grants.Where(g => g.Filter.Entity == EntityKind.Tag).Select(g => g.Filter.EntityValue).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        response.NodeIds.AddRange(grants.Where(g => g.Filter.Entity == EntityKind.Node).Select(g => g.Filter.EntityValue).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        return response;
    }

    public async Task<ListAllowedDevicesResponse> ListAllowedDevicesAsync(ListAllowedDevicesRequest request, CancellationToken cancellationToken)
    {
        Ids.RequireId(request.UserId, "user_id");
        var permission = PermissionCatalog.Require(request.Permission, "permission");
        var query = RemoteAccessReader.Read(request.RemoteAccess, permission, "remote_access");
        var pageSize = PageToken.ReadPageSize(request.PageSize, limits.Value.MaxPageSize);

        var tokenQuery = $"devices|{request.UserId}|{PermissionCatalog.NameOf(permission)}|{request.RemoteAccess}";
        var after = PageToken.Decode(request.PageToken, tokenQuery, "page_token");
        if (after.Length > 0 && !Ids.IsDeviceId(after))
        {
            throw new InvalidFieldException("page_token", "is not a page token of this service");
        }

        var (snapshot, user) = await users.ResolveAsync(request.UserId, UserResolver.ToRevision(request.MinRevision), cancellationToken).ConfigureAwait(false);
        var response = new ListAllowedDevicesResponse { Revision = (ulong)(snapshot?.Revision ?? 0) };
        if (snapshot is null || user is null || user.Disabled || user.GrantsFor(permission).Length == 0)
        {
            return response;
        }

        var devices = snapshot.DevicesInOrder;
        var start = after.Length == 0 ? 0 : FirstAfter(snapshot.NodeIds, devices, after);
        for (var i = start; i < devices.Length; i++)
        {
            if (Evaluator.Check(snapshot, user, permission, devices[i], false, query).Allowed)
            {
                if (response.DeviceIds.Count == pageSize)
                {
                    response.NextPageToken = PageToken.Encode(tokenQuery, response.DeviceIds[^1]);
                    break;
                }

                response.DeviceIds.Add(snapshot.NodeIds[devices[i]]);
            }
        }

        return response;
    }

    public async Task<GetEffectivePermissionsResponse> GetEffectivePermissionsAsync(GetEffectivePermissionsRequest request, CancellationToken cancellationToken)
    {
        Ids.RequireId(request.UserId, "user_id");
        if (request.DeviceId.Length > 0)
        {
            Ids.RequireDeviceId(request.DeviceId, "device_id");
        }

        var (snapshot, user) = await users.ResolveAsync(request.UserId, UserResolver.ToRevision(request.MinRevision), cancellationToken).ConfigureAwait(false);
        var response = new GetEffectivePermissionsResponse { Revision = (ulong)(snapshot?.Revision ?? 0) };
        if (snapshot is null || user is null)
        {
            return response;
        }

        var device = -1;
        var missing = request.DeviceId.Length > 0 && !snapshot.TryGetDevice(request.DeviceId, out device);
        var held = new HashSet<Permission>();
        foreach (var permission in PermissionCatalog.All)
        {
            if (Evaluator.Check(snapshot, user, permission, missing ? -1 : device, missing, RemoteAccessQuery.None).Allowed)
            {
                held.Add(permission);
                response.Permissions.Add(PermissionCatalog.NameOf(permission));
            }
        }

        response.UiElements.AddRange(UiElementTable.Elements.Where(e => e.Permissions.All(held.Contains)).Select(e => e.Name));
        return response;
    }

    /// <summary>The position of the first device whose id sorts after <paramref name="after"/> (which may be gone).</summary>
    private static int FirstAfter(string[] nodeIds, int[] devices, string after)
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
