using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Qbee.Authz.Service.Security;

/// <summary>
/// The door of every gRPC call: the bearer token names the caller and its scopes (see <see cref="CallerTable"/>).
/// A refused call never reaches a service; an accepted one carries the caller's name for audit.
/// </summary>
/// <remarks>
/// An interceptor rather than ASP.NET Core authentication: the answer must be a gRPC status
/// (UNAUTHENTICATED, PERMISSION_DENIED) with a plain message, the scope follows from the gRPC service alone,
/// and the hot path should not build a ClaimsPrincipal per call.
/// </remarks>
internal sealed class CallerInterceptor(CallerTable callers) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Admit(ServerCallContext context)
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
        }
    }
}
