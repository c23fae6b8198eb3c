using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;

namespace Qbee.Authz.TestKit;

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
