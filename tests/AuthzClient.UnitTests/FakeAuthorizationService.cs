using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.ClientFactory;
using Qbee.Authz.Client.Consistency;
using Qbee.Authz.V1;

namespace Qbee.Authz.Client.UnitTests;

/// <summary>
/// The AuthorizationService as the client's generated stub sees it, scripted by the test: unary calls answer
/// with <see cref="Answer"/> and are recorded; each WatchRevocations call is a <see cref="FakeWatch"/> the test
/// connects, feeds and breaks. Also the client factory that hands the stub out.
/// </summary>
internal sealed class FakeAuthorizationService : CallInvoker
{
    private readonly Channel<FakeWatch> _watches = Channel.CreateUnbounded<FakeWatch>();

    /// <summary>Every unary request, in order.</summary>
    public ConcurrentQueue<IMessage> Requests { get; } = new();

    /// <summary>The answer to each unary request; a granted Check at revision 1 by default.</summary>
    public Func<IMessage, IMessage> Answer { get; set; } = _ => new CheckResponse { Allowed = true, Permission = "device:read", Revision = 1 };

    private int _watchCalls;

    public int WatchCalls => Volatile.Read(ref _watchCalls);

    public AuthorizationService.AuthorizationServiceClient Client => new(this);

    public GrpcClientFactory Factory => new ClientFactory(this);

    /// <summary>The next WatchRevocations call the client makes (fails the test after 10 s).</summary>
    public async Task<FakeWatch> NextWatchAsync() => await _watches.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        Requests.Enqueue((IMessage)request);
        var response = (TResponse)Answer((IMessage)request);
        return new AsyncUnaryCall<TResponse>(Task.FromResult(response), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var watch = new FakeWatch((WatchRevocationsRequest)(object)request, options.CancellationToken);
        Interlocked.Increment(ref _watchCalls);
        _watches.Writer.TryWrite(watch);
        return new AsyncServerStreamingCall<TResponse>((IAsyncStreamReader<TResponse>)(object)watch, watch.Headers, () => Status.DefaultSuccess, () => [], () => { });
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new NotSupportedException("The client makes async calls only.");

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException();

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException();

    private sealed class ClientFactory(FakeAuthorizationService service) : GrpcClientFactory
    {
        public override TClient CreateClient<TClient>(string name) => (TClient)(object)service.Client;
    }
}

/// <summary>
/// One WatchRevocations call. The client waits for its headers (<see cref="ConnectAsync"/>), then reads events
/// (<see cref="SendAsync"/>) until it breaks (<see cref="Break"/>). Each step waits until the client asks for
/// the next event: by then it has handled the step (connected, delivered the revocation to its subscribers).
/// </summary>
internal sealed class FakeWatch : IAsyncStreamReader<RevocationEvent>
{
    private readonly TaskCompletionSource<Metadata> _headers = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<object> _events = Channel.CreateUnbounded<object>();
    private readonly Channel<bool> _reads = Channel.CreateUnbounded<bool>();
    private readonly CancellationToken _cancellation;

    public FakeWatch(WatchRevocationsRequest request, CancellationToken cancellation)
    {
        Request = request;
        _cancellation = cancellation;
        // As a real call: cancelled, it stops waiting for headers too (the client's hub stops its watches so).
        cancellation.Register(() => _headers.TrySetCanceled(cancellation));
    }

    public WatchRevocationsRequest Request { get; }

    public Task<Metadata> Headers => _headers.Task;

    public RevocationEvent Current { get; private set; } = null!;

    /// <summary>The service has subscribed the watcher, streaming after <paramref name="after"/>.</summary>
    public async Task ConnectAsync(ulong after)
    {
        _headers.SetResult(new Metadata { { WatchHeaders.SubscribedAfter, after.ToString(CultureInfo.InvariantCulture) } });
        await NextReadAsync();
    }

    public async Task SendAsync(RevocationEvent revocation)
    {
        _events.Writer.TryWrite(revocation);
        await NextReadAsync();
    }

    /// <summary>The stream breaks with UNAVAILABLE.</summary>
    public void Break() => _events.Writer.TryWrite(new RpcException(new Status(StatusCode.Unavailable, "broken by the test")));

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        _reads.Writer.TryWrite(true);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _cancellation);
        var next = await _events.Reader.ReadAsync(linked.Token);
        if (next is Exception e)
        {
            throw e;
        }

        Current = (RevocationEvent)next;
        return true;
    }

    private async Task NextReadAsync() => await _reads.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
}
