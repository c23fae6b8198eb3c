using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.UnitTests.Storage;

namespace Qbee.Authz.Service.UnitTests.Audit;

public sealed class AuditQueueTests
{
    private static readonly string Device = Samples.DeviceId(1);

    [Fact]
    public async Task Enqueue_ManyProducers_EveryEventTakenExactlyOnce()
    {
        var queue = Queue(capacity: 100_000);
        const int producers = 4, each = 5_000;
        var events = Enumerable.Range(0, producers * each).Select(i => Samples.Decision("acme", "ann", Device, i)).ToArray();
        var taken = new List<AuditRecord>();
        var consumer = Task.Run(() =>
        {
            while (taken.Count < events.Length)
            {
                queue.WaitUntil(() => queue.Depth > 0);
                queue.TakeInto(taken, 1_000);
            }
        });

        await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            for (var i = p * each; i < (p + 1) * each; i++)
            {
                await queue.EnqueueAsync(events[i], CancellationToken.None);
            }
        })));
        await consumer.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(events.Length, taken.Distinct(ReferenceEqualityComparer.Instance).Count());
        Assert.Equal(0, queue.Depth);
        Assert.Equal(0, queue.FullWaits);
    }

    [Fact]
    public async Task Enqueue_Full_WaitsUntilTheWriterTakes()
    {
        var queue = Queue(capacity: 2);
        await queue.EnqueueAsync(Samples.Decision("acme", "ann", Device, 1), CancellationToken.None);
        await queue.EnqueueAsync(Samples.Decision("acme", "ann", Device, 2), CancellationToken.None);

        var third = queue.EnqueueAsync(Samples.Decision("acme", "ann", Device, 3), CancellationToken.None).AsTask();
        Assert.False(third.IsCompleted);
        Assert.Equal(1, queue.FullWaits);

        var batch = new List<AuditRecord>();
        queue.TakeInto(batch, 1);
        await third.WaitAsync(TimeSpan.FromSeconds(10));

        queue.TakeInto(batch, 10);
        Assert.Equal([1L, 2L, 3L], batch.Select(e => e.Time.ToUnixTimeMilliseconds()));
        Assert.Equal(0, queue.Depth);
    }

    [Fact]
    public async Task Enqueue_FullUntilCancelled_ThrowsAndLeavesTheQueueAsItWas()
    {
        var queue = Queue(capacity: 1);
        await queue.EnqueueAsync(Samples.Decision("acme", "ann", Device, 1), CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var waiting = queue.EnqueueAsync(Samples.Decision("acme", "ann", Device, 2), cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(1, queue.Depth);
    }

    [Fact]
    public async Task Complete_RefusesLaterEventsAndThoseWaitingForRoom()
    {
        var queue = Queue(capacity: 1);
        await queue.EnqueueAsync(Samples.Decision("acme", "ann", Device, 1), CancellationToken.None);
        var waiting = queue.EnqueueAsync(Samples.Decision("acme", "ann", Device, 2), CancellationToken.None).AsTask();

        queue.Complete();

        await Assert.ThrowsAsync<UnavailableException>(() => waiting);
        await Assert.ThrowsAsync<UnavailableException>(() => queue.EnqueueAsync(Samples.Decision("acme", "ann", Device, 3), CancellationToken.None).AsTask());
        var batch = new List<AuditRecord>();
        queue.TakeInto(batch, 10);
        Assert.Single(batch); // what was queued before still reaches the writer
        Assert.True(queue.IsCompleted);
        Assert.Equal(1, queue.FullWaits); // the wait for room, not the refusals after Complete
    }

    [Fact]
    public async Task WaitUntil_WokenByTheFirstEvent()
    {
        var queue = Queue(capacity: 1_000);
        var waiter = Task.Run(() => queue.WaitUntil(() => queue.Depth > 0));
        Assert.False(waiter.IsCompleted);

        await queue.EnqueueAsync(Samples.Decision("acme", "ann", Device, 1), CancellationToken.None);

        await waiter.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task WaitUntil_WokenAtTheWakeDepth()
    {
        var queue = Queue(capacity: 1_000, batchSize: 3);
        Assert.Equal(3, queue.WakeDepth);
        await queue.EnqueueAsync(Samples.Decision("acme", "ann", Device, 1), CancellationToken.None);
        var waiter = Task.Run(() => queue.WaitUntil(() => queue.Depth >= queue.WakeDepth));

        await queue.EnqueueAsync(Samples.Decision("acme", "ann", Device, 2), CancellationToken.None);
        await queue.EnqueueAsync(Samples.Decision("acme", "ann", Device, 3), CancellationToken.None);

        await waiter.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(3, queue.Depth);
    }

    private static AuditQueue Queue(int capacity, int batchSize = 1_000) =>
        new(Options.Create(new AuditOptions { QueueCapacity = capacity, BatchSize = batchSize }), NullLogger<AuditQueue>.Instance);
}
