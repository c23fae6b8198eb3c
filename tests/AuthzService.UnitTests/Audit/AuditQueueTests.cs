using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.UnitTests.Storage;
using Qbee.Authz.TestKit;

namespace Qbee.Authz.Service.UnitTests.Audit;

public sealed class AuditQueueTests
{
    private static readonly string Device = Samples.DeviceId(1);
    private static readonly DateTime NoDeadline = DateTime.MaxValue;

    [Fact]
    public async Task Commit_ManyProducers_EveryEventTakenExactlyOnceAndEachWaitEndsAtItsCommit()
    {
        var queue = Queue(capacity: 100_000);
        const int producers = 4, each = 5_000;
        var events = Enumerable.Range(0, producers * each).Select(i => Samples.Decision("acme", "ann", Device, i)).ToArray();
        var taken = new List<AuditEntry>();
        var consumer = Task.Run(() =>
        {
            var batch = new List<AuditEntry>();
            while (taken.Count < events.Length)
            {
                queue.WaitUntil(() => queue.Depth > 0);
                queue.TakeInto(batch, 1_000);
                foreach (var entry in batch)
                {
                    entry.Ticket.Committed(entry.Use);
                }

                taken.AddRange(batch);
                batch.Clear();
            }
        });

        await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            for (var i = p * each; i < (p + 1) * each; i++)
            {
                await queue.CommitAsync(events[i], NoDeadline, CancellationToken.None);
            }
        })));
        await consumer.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(events.Length, taken.Select(e => e.Record).Distinct(ReferenceEqualityComparer.Instance).Count());
        Assert.Equal(0, queue.Depth);
        Assert.Equal(0, queue.FullWaits);
        Assert.True(queue.Tickets.Count <= producers, $"{queue.Tickets.Count} tickets for {producers} producers: they are not reused");
    }

    [Fact]
    public async Task Commit_NotYetCommitted_WaitsUntilTheWriterCommitsIt()
    {
        var queue = Queue(capacity: 10);
        var waiting = queue.CommitAsync(Samples.Decision("acme", "ann", Device, 1), NoDeadline, CancellationToken.None).AsTask();
        var batch = new List<AuditEntry>();
        queue.TakeInto(batch, 10);

        Assert.False(waiting.IsCompleted); // taken, not committed
        batch[0].Ticket.Committed(batch[0].Use);

        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task CommitBatch_SeveralEvents_OneWaitEndsWhenTheLastIsCommitted()
    {
        var queue = Queue(capacity: 10);
        var waiting = queue.CommitAsync([Samples.Decision("acme", "ann", Device, 1), Samples.Decision("acme", "bob", Device, 2)], NoDeadline, CancellationToken.None).AsTask();
        var batch = new List<AuditEntry>();
        queue.TakeInto(batch, 10);
        Assert.Same(batch[0].Ticket, batch[1].Ticket);

        batch[0].Ticket.Committed(batch[0].Use);
        Assert.False(waiting.IsCompleted);
        batch[1].Ticket.Committed(batch[1].Use);

        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Commit_StoreUnavailable_RefusedAtOnceWithoutQueueing()
    {
        var queue = Queue(capacity: 10);
        queue.Store.Unavailable("disk full");

        var error = await Assert.ThrowsAsync<UnavailableException>(() => queue.CommitAsync(Samples.Decision("acme", "ann", Device, 1), NoDeadline, CancellationToken.None).AsTask());

        Assert.Equal("audit store unavailable", error.Message);
        Assert.Equal(0, queue.Depth);
        Assert.Equal(1, queue.Tickets.Refusals);
    }

    [Fact]
    public async Task FailAll_WaitingChecks_FailedUnavailableAndTheirTicketsReused()
    {
        var queue = Queue(capacity: 10);
        var first = queue.CommitAsync(Samples.Decision("acme", "ann", Device, 1), NoDeadline, CancellationToken.None).AsTask();
        var batch = new List<AuditEntry>();
        queue.TakeInto(batch, 10);

        queue.Tickets.FailAll(AuditTicket.Unavailable);

        var error = await Assert.ThrowsAsync<UnavailableException>(() => first);
        Assert.Equal("audit store unavailable", error.Message);

        // The same ticket, next use: the writer's late commit of the first use must not end the second wait.
        var second = queue.CommitAsync(Samples.Decision("acme", "ann", Device, 2), NoDeadline, CancellationToken.None).AsTask();
        queue.TakeInto(batch, 10);
        Assert.Same(batch[0].Ticket, batch[1].Ticket);
        batch[0].Ticket.Committed(batch[0].Use);
        Assert.False(second.IsCompleted);
        batch[1].Ticket.Committed(batch[1].Use);
        await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, queue.Tickets.Refusals);
    }

    [Fact]
    public async Task FailOverdue_NoDeadline_FailsOnceTheCommitTimeoutHasPassed()
    {
        var time = new FakeTimeProvider();
        var queue = Queue(capacity: 10, time: time, commitTimeout: TimeSpan.FromSeconds(5));
        var waiting = queue.CommitAsync(Samples.Decision("acme", "ann", Device, 1), NoDeadline, CancellationToken.None).AsTask();

        time.Advance(TimeSpan.FromSeconds(4.9));
        queue.Tickets.FailOverdue(AuditTicket.Unavailable, time.GetTimestamp());
        Assert.False(waiting.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(0.1));
        queue.Tickets.FailOverdue(AuditTicket.Unavailable, time.GetTimestamp());
        await Assert.ThrowsAsync<UnavailableException>(() => waiting);
    }

    [Fact]
    public async Task FailOverdue_DeadlineSoonerThanTheCommitTimeout_FailsBeforeTheDeadline()
    {
        var time = new FakeTimeProvider();
        var queue = Queue(capacity: 10, time: time, commitTimeout: TimeSpan.FromSeconds(5));
        var deadline = time.GetUtcNow().UtcDateTime.AddSeconds(1);
        var waiting = queue.CommitAsync(Samples.Decision("acme", "ann", Device, 1), deadline, CancellationToken.None).AsTask();

        time.Advance(TimeSpan.FromSeconds(0.9));
        queue.Tickets.FailOverdue(AuditTicket.Unavailable, time.GetTimestamp());

        await Assert.ThrowsAsync<UnavailableException>(() => waiting);
    }

    [Fact]
    public async Task Commit_Full_WaitsForRoomUntilTheWriterTakes()
    {
        var queue = Queue(capacity: 2);
        var waits = new List<Task>
        {
            queue.CommitAsync(Samples.Decision("acme", "ann", Device, 1), NoDeadline, CancellationToken.None).AsTask(),
            queue.CommitAsync(Samples.Decision("acme", "ann", Device, 2), NoDeadline, CancellationToken.None).AsTask(),
            queue.CommitAsync(Samples.Decision("acme", "ann", Device, 3), NoDeadline, CancellationToken.None).AsTask(),
        };
        Assert.Equal(1, queue.FullWaits);
        Assert.Equal(2, queue.Depth);

        var batch = new List<AuditEntry>();
        queue.TakeInto(batch, 1);
        await Eventually.HoldsAsync(() => queue.Depth == 2); // the third found room

        queue.TakeInto(batch, 10);
        Assert.Equal([1L, 2L, 3L], batch.Select(e => e.Record.Time.ToUnixTimeMilliseconds()));
        foreach (var entry in batch)
        {
            entry.Ticket.Committed(entry.Use);
        }

        await Task.WhenAll(waits).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Commit_FullUntilCancelled_ThrowsAndLeavesTheQueueAsItWas()
    {
        var queue = Queue(capacity: 1);
        _ = queue.CommitAsync(Samples.Decision("acme", "ann", Device, 1), NoDeadline, CancellationToken.None).AsTask();
        using var cancel = new CancellationTokenSource();

        var waiting = queue.CommitAsync(Samples.Decision("acme", "ann", Device, 2), NoDeadline, cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(1, queue.Depth);
    }

    [Fact]
    public async Task Complete_RefusesLaterEventsAndThoseWaitingForRoom()
    {
        var queue = Queue(capacity: 1);
        _ = queue.CommitAsync(Samples.Decision("acme", "ann", Device, 1), NoDeadline, CancellationToken.None).AsTask();
        var waiting = queue.CommitAsync(Samples.Decision("acme", "ann", Device, 2), NoDeadline, CancellationToken.None).AsTask();

        queue.Complete();

        await Assert.ThrowsAsync<UnavailableException>(() => waiting);
        await Assert.ThrowsAsync<UnavailableException>(() => queue.CommitAsync(Samples.Decision("acme", "ann", Device, 3), NoDeadline, CancellationToken.None).AsTask());
        var batch = new List<AuditEntry>();
        queue.TakeInto(batch, 10);
        Assert.Single(batch); // what was queued before still reaches the writer
        Assert.True(queue.IsCompleted);
        Assert.Equal(1, queue.FullWaits); // the wait for room, not the refusals after Complete
        Assert.Equal(0, queue.Tickets.Refusals); // refused for the shutdown, not for the audit store
    }

    [Fact]
    public async Task WaitUntil_WokenByTheFirstEvent()
    {
        var queue = Queue(capacity: 1_000);
        var waiter = Task.Run(() => queue.WaitUntil(() => queue.Depth > 0));
        Assert.False(waiter.IsCompleted);

        _ = queue.CommitAsync(Samples.Decision("acme", "ann", Device, 1), NoDeadline, CancellationToken.None).AsTask();

        await waiter.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task WaitUntil_WokenAtTheWakeDepth()
    {
        var queue = Queue(capacity: 1_000, batchSize: 3);
        Assert.Equal(3, queue.WakeDepth);
        _ = queue.CommitAsync(Samples.Decision("acme", "ann", Device, 1), NoDeadline, CancellationToken.None).AsTask();
        var waiter = Task.Run(() => queue.WaitUntil(() => queue.Depth >= queue.WakeDepth));

        _ = queue.CommitAsync(Samples.Decision("acme", "ann", Device, 2), NoDeadline, CancellationToken.None).AsTask();
        _ = queue.CommitAsync(Samples.Decision("acme", "ann", Device, 3), NoDeadline, CancellationToken.None).AsTask();

        await waiter.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(3, queue.Depth);
    }

    private static AuditQueue Queue(int capacity, int batchSize = 1_000, TimeProvider? time = null, TimeSpan? commitTimeout = null) =>
        new(Options.Create(new AuditOptions { QueueCapacity = capacity, BatchSize = batchSize, CommitTimeout = commitTimeout ?? TimeSpan.FromSeconds(5) }),
            time ?? TimeProvider.System, NullLogger<AuditQueue>.Instance);
}
