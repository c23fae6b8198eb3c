using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Qbee.Authz.TestKit;

/// <summary>Installed behind the service's own interceptors: records each call and injects the faults <see cref="FaultInjector"/> holds.</summary>
internal sealed class FaultInterceptor(FaultInjector injector) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var method = Record(request, context);
        if (injector.Next(method) is { } fault)
        {
            if (fault.Hang)
            {
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }

            throw new RpcException(new Status(fault.Status, $"injected {fault.Status}"));
        }

        return await continuation(request, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var method = Record(request, context);
        var fault = injector.Next(method);
        if (fault is { BreakAfter: >= 0 })
        {
            var writer = new BreakingWriter<TResponse>(responseStream, fault.BreakAfter);
            try
            {
                await continuation(request, writer, context);
            }
            catch (BrokenStream)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "injected: stream broken"));
            }

            return;
        }

        if (fault is not null)
        {
            throw new RpcException(new Status(fault.Status, $"injected {fault.Status}"));
        }

        await continuation(request, responseStream, context);
    }

    private string Record(object request, ServerCallContext context)
    {
        var method = context.Method[(context.Method.LastIndexOf('/') + 1)..];
        injector.Calls.Enqueue(new FaultInjector.Seen(method, (IMessage)request, context.RequestHeaders.GetValue("authorization")));
        return method;
    }

    private sealed class BrokenStream : Exception;

    private sealed class BreakingWriter<T>(IServerStreamWriter<T> inner, int limit) : IServerStreamWriter<T>
    {
        private int _written;

        public WriteOptions? WriteOptions
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

        public async Task WriteAsync(T message, CancellationToken cancellationToken)
        {
            if (_written >= limit)
            {
                throw new BrokenStream();
            }

            await inner.WriteAsync(message, cancellationToken);
            _written++;
        }
    }
}
