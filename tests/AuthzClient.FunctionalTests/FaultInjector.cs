using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Qbee.Authz.Client.FunctionalTests;

/// <summary>What the server saw (requests, authorization headers) and the faults it is told to inject, per method.</summary>
public sealed class FaultInjector
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Fault>> _faults = new();

    public ConcurrentQueue<Seen> Calls { get; } = new();

    /// <summary>The next <paramref name="times"/> calls of the method fail with the status before reaching the service.</summary>
    public void Fail(string method, StatusCode status, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            Queue(method).Enqueue(new Fault(status, Hang: false, BreakAfter: -1));
        }
    }

    /// <summary>The next call of the method never answers: it waits for its deadline or cancellation.</summary>
    public void Hang(string method) => Queue(method).Enqueue(new Fault(StatusCode.OK, Hang: true, BreakAfter: -1));

    /// <summary>The next call of the (streaming) method breaks with UNAVAILABLE after <paramref name="messages"/> messages.</summary>
    public void BreakStreamAfter(string method, int messages) => Queue(method).Enqueue(new Fault(StatusCode.Unavailable, Hang: false, BreakAfter: messages));

    public IReadOnlyList<Seen> CallsOf(string method) => Calls.Where(c => c.Method == method).ToArray();

    internal Fault? Next(string method) => _faults.TryGetValue(method, out var queue) && queue.TryDequeue(out var fault) ? fault : null;

    private ConcurrentQueue<Fault> Queue(string method) => _faults.GetOrAdd(method, _ => new ConcurrentQueue<Fault>());

    internal sealed record Fault(StatusCode Status, bool Hang, int BreakAfter);

    /// <summary>One call as the server saw it; <paramref name="Method"/> is the short name, e.g. <c>Check</c>.</summary>
    public sealed record Seen(string Method, IMessage Request, string? Authorization)
    {
        public T Field<T>(string name) => (T)Request.Descriptor.FindFieldByName(name).Accessor.GetValue(Request);
    }
}

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
