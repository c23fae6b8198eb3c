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
    /// <param name="field">The prefix of field names in errors, e.g. "checks[3]." in a batch.</param>
    public static PreparedCheck From(CheckRequest request, string field = "")
    {
        Ids.RequireId(request.UserId, field + "user_id");
        var permission = PermissionCatalog.Require(request.Permission, field + "permission");
        if (request.DeviceId.Length > 0)
        {
            Ids.RequireDeviceId(request.DeviceId, field + "device_id");
        }

        var remoteAccess = RemoteAccessReader.Read(request.RemoteAccess, permission, field + "remote_access");
        return new PreparedCheck(request.UserId, permission, request.DeviceId, remoteAccess, UserResolver.ToRevision(request.MinRevision), request.Explain);
    }
}
