using System.Globalization;
using System.Threading.Channels;
using Grpc.Core;
using Qbee.Authz.Client.Consistency;
using Qbee.Authz.V1;

namespace Qbee.Authz.Client.UnitTests;

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
