using Qbee.Authz.Service.Checks;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Grpc.Validation;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.Grpc.Mapping;

/// <summary>Check, CheckBatch and CheckApiCall: requests validated into checks (errors name the field), results into responses.</summary>
internal static class CheckMapping
{
    private const int MaxPathLength = 2048;

    public static PreparedCheck ToCheck(CheckRequest request)
    {
        Ids.RequireId(request.UserId, "user_id");
        var permission = PermissionCatalog.Require(request.Permission, "permission");
        if (request.DeviceId.Length > 0)
        {
            Ids.RequireDeviceId(request.DeviceId, "device_id");
        }

        var remoteAccess = RemoteAccessReader.Read(request.RemoteAccess, permission, "remote_access");
        var asked = permission == Permission.RemoteAccessConnect ? request.RemoteAccess?.ToAuditRecord() : null;
        return new PreparedCheck(
            request.UserId, permission, request.DeviceId, remoteAccess, RevisionMapping.ToRevision(request.MinRevision), request.Explain, asked);
    }

    public static PreparedCheck[] ToChecks(CheckBatchRequest request, int maxBatch)
    {
        if (request.Checks.Count == 0 || request.Checks.Count > maxBatch)
        {
            throw new InvalidFieldException("checks", $"must hold 1..{maxBatch} checks (has {request.Checks.Count})");
        }

        var checks = new PreparedCheck[request.Checks.Count];
        for (var i = 0; i < checks.Length; i++)
        {
            checks[i] = ToCheck(request.Checks[i], i);
        }

        return checks;
    }

    public static ApiCallCheck ToApiCall(CheckApiCallRequest request)
    {
        Ids.RequireId(request.UserId, "user_id");
        var method = request.Method.ToUpperInvariant();
        if (!ApiCallTable.IsKnownMethod(method))
        {
            throw new InvalidFieldException("method", "must be GET, POST, PUT, PATCH or DELETE");
        }

        if (request.Path.Length is 0 or > MaxPathLength || request.Path[0] != '/' || request.Path.Any(char.IsControl))
        {
            throw new InvalidFieldException("path", $"must be an absolute URL path of at most {MaxPathLength} characters without control characters");
        }

        return new ApiCallCheck(request.UserId, method, request.Path, RevisionMapping.ToRevision(request.MinRevision), request.Explain);
    }

    public static CheckResponse ToProto(this in CheckResult result) => new()
    {
        Allowed = result.Allowed,
        Reason = result.Reason.ToProto(),
        Permission = result.Permission,
        RoleId = result.RoleId,
        Resource = result.Resource,
        Restricted = result.Restricted,
        Revision = (ulong)result.Revision,
        Message = result.Message,
    };

    public static CheckBatchResponse ToProto(CheckResult[] results)
    {
        var response = new CheckBatchResponse();
        response.Results.Capacity = results.Length;
        foreach (ref readonly var result in results.AsSpan())
        {
            response.Results.Add(result.ToProto());
        }

        return response;
    }

    /// <summary>An item of a batch: errors name it, e.g. <c>checks[3].permission</c>; field names are built only then.</summary>
    private static PreparedCheck ToCheck(CheckRequest request, int index)
    {
        try
        {
            return ToCheck(request);
        }
        catch (InvalidFieldException e)
        {
            throw new InvalidFieldException($"checks[{index}].{e.Field}", e.Reason);
        }
    }
}
