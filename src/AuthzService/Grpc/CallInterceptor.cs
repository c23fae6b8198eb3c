using Grpc.Core;
using Grpc.Core.Interceptors;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Security;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.Service.Telemetry;

namespace Qbee.Authz.Service.Grpc;

/// <summary>
/// The service's one interceptor, a singleton: the caller admitted first (<see cref="CallerAdmission"/>: a refused
/// call reaches nothing else), then the one place where domain errors become gRPC statuses. Anything else is
/// logged and answered INTERNAL without its details (they stay in the log). Each translated error is counted
/// (<c>qbee_authz.errors</c>, by method and code): the error rate operators alert on, paid only by calls that fail.
/// </summary>
/// <remarks>
/// One interceptor, not one per concern: grpc-dotnet wraps each in an async frame of its own and, unless it is
/// registered in DI, makes a new instance per call; each cost a Check about 1-3% of its CPU (perf, issue 18).
/// </remarks>
internal sealed class CallInterceptor(CallerAdmission admission, ILogger<CallInterceptor> logger, AuthzMetrics metrics) : Interceptor
{
    // The canonical names (INVALID_ARGUMENT), as grpcurl and google.rpc.Code spell them.
    private static readonly string[] CodeNames = [.. Enum.GetValues<StatusCode>().OrderBy(c => (int)c).Select(c => CanonicalName(c.ToString()))];

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        admission.Admit(context);

        // Checks complete synchronously: hand their task on as it is, with no async frame of our own.
        try
        {
            var call = continuation(request, context);
            return call.IsCompletedSuccessfully ? call : AwaitAsync(call, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Translate(e, context);
        }
    }

    private async Task<TResponse> AwaitAsync<TResponse>(Task<TResponse> call, ServerCallContext context)
    {
        try
        {
            return await call;
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Translate(e, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        admission.Admit(context);
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Translate(e, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        admission.Admit(context);
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Translate(e, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        admission.Admit(context);
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Translate(e, context);
        }
    }

    private RpcException Translate(Exception exception, ServerCallContext context)
    {
        var status = exception switch
        {
            InvalidFieldException e => new Status(StatusCode.InvalidArgument, e.Message),
            NotFoundException e => new Status(StatusCode.NotFound, e.Message),
            AlreadyExistsException e => new Status(StatusCode.AlreadyExists, e.Message),
            PreconditionFailedException e => new Status(StatusCode.FailedPrecondition, e.Message),
            UnavailableException e => new Status(StatusCode.Unavailable, e.Message),
            AbortedException e => new Status(StatusCode.Aborted, e.Message),
            _ when StoreFaults.IsStoreFailure(exception) => new Status(StatusCode.Unavailable,
                "The store is unavailable: writes are refused; checks are answered from the last snapshot."),
            OperationCanceledException when context.CancellationToken.IsCancellationRequested =>
                new Status(StatusCode.Cancelled, "The call was cancelled or its deadline passed."),
            _ => Unexpected(exception, context.Method),
        };
        metrics.Failed(context.Method, (uint)status.StatusCode < (uint)CodeNames.Length ? CodeNames[(int)status.StatusCode] : "UNKNOWN");
        return new RpcException(status);
    }

    // InvalidArgument -> INVALID_ARGUMENT (and OK stays OK: no break inside a run of capitals).
    private static string CanonicalName(string pascal) =>
        string.Concat(pascal.Select((c, i) => i > 0 && char.IsUpper(c) && char.IsLower(pascal[i - 1]) ? $"_{c}" : $"{char.ToUpperInvariant(c)}"));

    private Status Unexpected(Exception exception, string method)
    {
        GrpcLog.UnexpectedError(logger, exception, method);
        return new Status(StatusCode.Internal, "Internal error; the service log has the details.");
    }
}
