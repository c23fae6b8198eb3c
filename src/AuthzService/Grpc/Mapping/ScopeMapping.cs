using Qbee.Authz.Service.Checks;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Grpc.Validation;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.Grpc.Mapping;

/// <summary>ResolveScope, ListAllowedDevices and GetEffectivePermissions: requests validated into queries, results into responses.</summary>
internal static class ScopeMapping
{
    public static ScopeQuery ToQuery(ResolveScopeRequest request)
    {
        Ids.RequireId(request.UserId, "user_id");
        var permission = PermissionCatalog.Require(request.Permission, "permission");
        return new ScopeQuery(request.UserId, permission, RevisionMapping.ToRevision(request.MinRevision));
    }

    public static ResolveScopeResponse ToProto(ScopeResult result)
    {
        var response = new ResolveScopeResponse
        {
            Revision = (ulong)result.Revision,
            Reason = result.Reason.ToProto(),
            Granted = result.Granted,
            Unrestricted = result.Unrestricted,
        };
        response.Tags.AddRange(result.Tags);
        response.NodeIds.AddRange(result.NodeIds);
        return response;
    }

    /// <param name="tokenQuery">What the page tokens of this listing are bound to: the request's fields but the page.</param>
    public static DeviceListQuery ToQuery(ListAllowedDevicesRequest request, int maxPageSize, out string tokenQuery)
    {
        Ids.RequireId(request.UserId, "user_id");
        var permission = PermissionCatalog.Require(request.Permission, "permission");
        var remoteAccess = RemoteAccessReader.Read(request.RemoteAccess, permission, "remote_access");
        var pageSize = PageToken.ReadPageSize(request.PageSize, maxPageSize);

        tokenQuery = $"devices|{request.UserId}|{PermissionCatalog.NameOf(permission)}|{request.RemoteAccess}";
        var after = PageToken.Decode(request.PageToken, tokenQuery, "page_token");
        if (after.Length > 0 && !Ids.IsDeviceId(after))
        {
            throw new InvalidFieldException("page_token", "is not a page token of this service");
        }

        return new DeviceListQuery(request.UserId, permission, remoteAccess, pageSize, after, RevisionMapping.ToRevision(request.MinRevision));
    }

    public static ListAllowedDevicesResponse ToProto(DevicePage page, string tokenQuery)
    {
        var response = new ListAllowedDevicesResponse { Revision = (ulong)page.Revision };
        response.DeviceIds.AddRange(page.DeviceIds);
        if (page.More)
        {
            response.NextPageToken = PageToken.Encode(tokenQuery, page.DeviceIds[^1]);
        }

        return response;
    }

    public static EffectivePermissionsQuery ToQuery(GetEffectivePermissionsRequest request)
    {
        Ids.RequireId(request.UserId, "user_id");
        if (request.DeviceId.Length > 0)
        {
            Ids.RequireDeviceId(request.DeviceId, "device_id");
        }

        return new EffectivePermissionsQuery(request.UserId, request.DeviceId, RevisionMapping.ToRevision(request.MinRevision));
    }

    public static GetEffectivePermissionsResponse ToProto(EffectivePermissions result)
    {
        var response = new GetEffectivePermissionsResponse { Revision = (ulong)result.Revision };
        response.Permissions.AddRange(result.Permissions);
        response.UiElements.AddRange(result.UiElements);
        return response;
    }
}
