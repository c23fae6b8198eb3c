using Grpc.Core;

namespace Qbee.Authz.Service.Security;

/// <summary>
/// The door of every gRPC call: the bearer token names the caller and its scopes (see <see cref="CallerTable"/>).
/// A refused call never reaches a service; an accepted one carries the caller's name for audit. Run first by
/// Grpc's one interceptor (<c>CallInterceptor</c>).
/// </summary>
/// <remarks>
/// In the gRPC pipeline rather than ASP.NET Core authentication: the answer must be a gRPC status
/// (UNAUTHENTICATED, PERMISSION_DENIED) with a plain message, the scope follows from the gRPC service alone,
/// and the hot path should not build a ClaimsPrincipal per call.
/// </remarks>
internal sealed class CallerAdmission(CallerTable callers)
{
    public void Admit(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var header = http.Request.Headers.Authorization;
        var verdict = callers.Authorize(context.Method, header.Count == 1 ? header[0] : null, http.Connection.RemoteIpAddress);
        switch (verdict.Outcome)
        {
            case CallOutcome.Caller:
                http.Features.Set(callers.FeatureOf(verdict.Caller));
                break;
            case CallOutcome.Unauthenticated:
                throw new RpcException(new Status(StatusCode.Unauthenticated, verdict.Message!));
            case CallOutcome.PermissionDenied:
                throw new RpcException(new Status(StatusCode.PermissionDenied, verdict.Message!));
            case CallOutcome.Loopback when HttpProtocol.IsHttp11(http.Request.Protocol) && !IsLoopbackHost(http.Request.Host.Host):
                // Trusting loopback must not trust a browser on this machine: a page whose name was rebound to
                // 127.0.0.1 reaches the HTTP/1.1 listener (gRPC's h2c is out of a browser's reach) with its own Host.
                throw new RpcException(new Status(StatusCode.PermissionDenied,
                    $"Host {http.Request.Host.Host} is not a loopback name: without callers (Authz:Callers) only localhost, 127.0.0.1 or [::1] are answered"));
        }
    }

    private static bool IsLoopbackHost(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var address) && System.Net.IPAddress.IsLoopback(address));
}
