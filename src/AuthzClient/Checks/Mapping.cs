using Qbee.Authz.V1;

namespace Qbee.Authz.Client;

internal static class Mapping
{
    public static Decision ToDecision(this CheckResponse response) => new(
        response.Allowed,
        response.Reason,
        response.Permission,
        NullIfEmpty(response.RoleId),
        NullIfEmpty(response.Resource),
        response.Restricted,
        response.Revision,
        response.Message);

    public static CheckRequest ToRequest(this CheckQuery query, ulong minRevision)
    {
        ArgumentException.ThrowIfNullOrEmpty(query.UserId, nameof(query.UserId));
        ArgumentException.ThrowIfNullOrEmpty(query.Permission, nameof(query.Permission));
        return new CheckRequest
        {
            UserId = query.UserId,
            Permission = query.Permission,
            DeviceId = query.DeviceId ?? string.Empty,
            RemoteAccess = query.RemoteAccess?.ToProto(),
            MinRevision = minRevision,
            Explain = query.Explain,
        };
    }

    public static RemoteAccess ToProto(this RemoteAccessRequest request) => new()
    {
        Action = request.Action,
        Proto = request.Proto ?? string.Empty,
        Port = request.Port,
        Dst = request.Destination ?? string.Empty,
        Direction = request.Direction ?? string.Empty,
        Path = request.Path ?? string.Empty,
    };

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
