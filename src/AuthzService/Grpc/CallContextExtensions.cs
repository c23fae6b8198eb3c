using Google.Protobuf;
using Grpc.Core;
using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Security;

namespace Qbee.Authz.Service.Grpc;

internal static class CallContextExtensions
{
    private const int MaxRequestIdLength = 128;

    /// <summary>The caller (from its token) and the x-request-id header, for audit.</summary>
    /// <remarks>
    /// Reads the HTTP request's headers directly: <see cref="ServerCallContext.RequestHeaders"/> would copy every
    /// header into a new collection on each audited check.
    /// </remarks>
    public static AuditContext ToAuditContext(this ServerCallContext context)
    {
        var values = context.GetHttpContext().Request.Headers["x-request-id"];
        var requestId = values.Count == 0 ? string.Empty : values[0] ?? string.Empty;
        if (values.Count > 1 || requestId.Length > MaxRequestIdLength
            || requestId.AsSpan().ContainsAnyInRange('\u0000', '\u001f') || requestId.AsSpan().ContainsAnyInRange('\u007f', '\u009f'))
        {
            requestId = "(malformed)";
        }

        var caller = context.GetHttpContext().Features.Get<CallerFeature>()?.Name ?? "anonymous";
        return new AuditContext(caller, requestId);
    }

    /// <summary>
    /// Whether the caller holds the admin scope (which reads users and their emails anyway), or no callers are
    /// configured (loopback only, no tokens): personal data beyond ids is for them, not for a check-only caller.
    /// </summary>
    public static bool MaySeeEmails(this ServerCallContext context) =>
        context.GetHttpContext().Features.Get<CallerFeature>() is not { } caller || caller.Scopes.HasFlag(CallerScopes.Admin);

    /// <summary>
    /// Whether the call came as HTTP/JSON (JSON transcoding) rather than gRPC: its stream writer takes no write options.
    /// A gRPC request always says application/grpc; a transcoded one says JSON, or nothing (GET).
    /// </summary>
    public static bool IsHttpJson(this ServerCallContext context) =>
        context.GetHttpContext().Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) != true;

    /// <summary>For an admin write: who asked, and what (the request as JSON).</summary>
    public static AuditContext ToAuditContext(this ServerCallContext context, IMessage request) =>
        context.ToAuditContext() with { Detail = JsonFormatter.Default.Format(request) };
}
