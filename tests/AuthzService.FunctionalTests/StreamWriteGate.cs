using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Qbee.Authz.Service.FunctionalTests;

/// <summary>
/// Holds every server-stream write while closed: a watcher that stops reading, without filling the transport's
/// buffers first. Open by default.
/// </summary>
public sealed class StreamWriteGate
{
    private volatile TaskCompletionSource _open = Opened();

    public void Close() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => _open.TrySetResult();

    internal Task WaitAsync(CancellationToken cancellationToken) => _open.Task.WaitAsync(cancellationToken);

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }
}

internal sealed class StreamWriteGateInterceptor(StreamWriteGate gate) : Interceptor
{
    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        continuation(request, new GatedWriter<TResponse>(responseStream, gate), context);

    private sealed class GatedWriter<T>(IServerStreamWriter<T> inner, StreamWriteGate gate) : IServerStreamWriter<T>
    {
        public WriteOptions? WriteOptions
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

        public async Task WriteAsync(T message, CancellationToken cancellationToken)
        {
            await gate.WaitAsync(cancellationToken);
            await inner.WriteAsync(message, cancellationToken);
        }
    }
}
