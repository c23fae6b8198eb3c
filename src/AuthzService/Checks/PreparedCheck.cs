using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Resources;
using Qbee.Authz.Service.Grpc;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.Checks;

/// <summary>A check request that passed validation: every field parsed once, before any lookup.</summary>
internal readonly record struct PreparedCheck(
    string UserId,
    Permission Permission,
    string DeviceId,
    RemoteAccessQuery RemoteAccess,
    long MinRevision,
    bool Explain)
{
    public static PreparedCheck From(CheckRequest request)
    {
        Ids.RequireId(request.UserId, "user_id");
        var permission = PermissionCatalog.Require(request.Permission, "permission");
        if (request.DeviceId.Length > 0)
        {
            Ids.RequireDeviceId(request.DeviceId, "device_id");
        }

        var remoteAccess = RemoteAccessReader.Read(request.RemoteAccess, permission, "remote_access");
        return new PreparedCheck(request.UserId, permission, request.DeviceId, remoteAccess, UserResolver.ToRevision(request.MinRevision), request.Explain);
    }

    /// <summary>An item of a batch: errors name it, e.g. <c>checks[3].permission</c>; field names are built only then.</summary>
    public static PreparedCheck From(CheckRequest request, int index)
    {
        try
        {
            return From(request);
        }
        catch (InvalidFieldException e)
        {
            throw new InvalidFieldException($"checks[{index}].{e.Field}", e.Reason);
        }
    }
}
