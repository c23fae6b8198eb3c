using System.Collections.Concurrent;
using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.ClientFactory;
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
