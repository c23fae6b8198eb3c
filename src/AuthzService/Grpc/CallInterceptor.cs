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
/// logged and answered INTERNAL without its details (they stay in the log). Every call it ends with an error status
/// is counted once (<c>qbee_authz.errors</c>, by method and code): a translated error, an admission refusal, an
/// RpcException a service throws (a watch's RESOURCE_EXHAUSTED, its UNAVAILABLE at shutdown), and DEADLINE_EXCEEDED
/// when the deadline passed, whatever the handler did after (grpc-dotnet answers that one itself). The error rate
/// operators alert on, paid only by calls that fail.
/// </summary>
/// <remarks>
/// One interceptor, not one per concern: grpc-dotnet wraps each in an async frame of its own and, unless it is
/// registered in DI, makes a new instance per call; each cost a Check about 1-3% of its CPU (perf, issue 18).
/// Not counted: what grpc-dotnet refuses before any interceptor runs (an unknown method, a request body it cannot
/// read or that exceeds the message size limit).
/// </remarks>
internal sealed class CallInterceptor(CallerAdmission admission, ILogger<CallInterceptor> logger, AuthzMetrics metrics) : Interceptor
{
    // The canonical names (INVALID_ARGUMENT), as grpcurl and google.rpc.Code spell them.
    private static readonly string[] CodeNames = [.. Enum.GetValues<StatusCode>().OrderBy(c => (int)c).Select(c => CanonicalName(c.ToString()))];

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Task<TResponse> call;
        try
        {
            admission.Admit(context);
            call = continuation(request, context);
        }
        catch (Exception e)
        {
            throw Translate(e, context);
        }

        // Checks complete synchronously: hand their task on as it is, with no async frame of our own.
        if (call.IsCompletedSuccessfully)
        {
            CountIfPastDeadline(context);
            return call;
        }

        return AwaitAsync(call, context);
    }

    private async Task<TResponse> AwaitAsync<TResponse>(Task<TResponse> call, ServerCallContext context)
    {
        try
        {
            var response = await call;
            CountIfPastDeadline(context);
            return response;
        }
        catch (Exception e)
        {
            throw Translate(e, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            admission.Admit(context);
            await continuation(request, responseStream, context);
            CountIfPastDeadline(context);
        }
        catch (Exception e)
        {
            throw Translate(e, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            admission.Admit(context);
            var response = await continuation(requestStream, context);
            CountIfPastDeadline(context);
            return response;
        }
        catch (Exception e)
        {
            throw Translate(e, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            admission.Admit(context);
            await continuation(requestStream, responseStream, context);
            CountIfPastDeadline(context);
        }
        catch (Exception e)
        {
            throw Translate(e, context);
        }
    }

    /// <summary>
    /// The status the call ends with, counted: an RpcException a service (or the admission) threw is handed on as it is;
    /// a domain error becomes its status; anything else INTERNAL.
    /// </summary>
    private RpcException Translate(Exception exception, ServerCallContext context)
    {
        if (exception is RpcException thrown)
        {
            Count(thrown.StatusCode, context);
            return thrown;
        }

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
        Count(status.StatusCode, context);
        return new RpcException(status);
    }

    /// <summary>A call ended with <paramref name="code"/>; past its deadline, the caller had DEADLINE_EXCEEDED instead.</summary>
    private void Count(StatusCode code, ServerCallContext context) =>
        metrics.Failed(context.Method, CodeName(AnsweredDeadlineExceeded(context) || context.Deadline <= DateTime.UtcNow ? StatusCode.DeadlineExceeded : code));

    /// <summary>A handler that returned after its deadline was answered: the caller had DEADLINE_EXCEEDED all the same.</summary>
    private void CountIfPastDeadline(ServerCallContext context)
    {
        if (AnsweredDeadlineExceeded(context))
        {
            metrics.Failed(context.Method, CodeName(StatusCode.DeadlineExceeded));
        }
    }

    // When the deadline passes, grpc-dotnet answers the call itself, sets its status to DEADLINE_EXCEEDED and only
    // then cancels its token; whatever the handler ends with later is not sent. Nothing here sets a call's status.
    // A field read (no clock, and the call's token, created lazily by grpc-dotnet, left alone): what a call that
    // succeeded pays. A failed one also reads the clock: the client may have given up at the deadline first.
    private static bool AnsweredDeadlineExceeded(ServerCallContext context) => context.Status.StatusCode == StatusCode.DeadlineExceeded;

    private static string CodeName(StatusCode code) => (uint)code < (uint)CodeNames.Length ? CodeNames[(int)code] : "UNKNOWN";

    // InvalidArgument -> INVALID_ARGUMENT (and OK stays OK: no break inside a run of capitals).
    private static string CanonicalName(string pascal) =>
        string.Concat(pascal.Select((c, i) => i > 0 && char.IsUpper(c) && char.IsLower(pascal[i - 1]) ? $"_{c}" : $"{char.ToUpperInvariant(c)}"));

    private Status Unexpected(Exception exception, string method)
    {
        GrpcLog.UnexpectedError(logger, exception, method);
        return new Status(StatusCode.Internal, "Internal error; the service log has the details.");
    }
}
