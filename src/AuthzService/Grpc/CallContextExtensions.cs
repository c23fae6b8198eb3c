using Grpc.Core;
using Qbee.Authz.Service.Admin;

namespace Qbee.Authz.Service.Grpc;

internal static class CallContextExtensions
{
    private const int MaxRequestIdLength = 128;

    /// <summary>The caller (from its token, once callers authenticate) and the x-request-id header, for audit.</summary>
    public static AuditContext ToAuditContext(this ServerCallContext context)
    {
        var requestId = context.RequestHeaders.GetValue("x-request-id") ?? string.Empty;
        if (requestId.Length > MaxRequestIdLength || requestId.Any(char.IsControl))
        {
            requestId = requestId.Length > 0 ? "(malformed)" : string.Empty;
        }

        var caller = context.UserState.TryGetValue(CallerKey, out var name) && name is string s ? s : "anonymous";
        return new AuditContext(caller, requestId);
    }

    /// <summary>Where the authentication layer leaves the caller's name in <see cref="ServerCallContext.UserState"/>.</summary>
    public const string CallerKey = "qbee.authz.caller";
}
