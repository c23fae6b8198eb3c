using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.Service.UnitTests.Storage;
using Qbee.Authz.Service.UnitTests.Storage.Sqlite;
using Qbee.Authz.TestKit;

namespace Qbee.Authz.Service.UnitTests.Audit;

public sealed class AuditWriterTests
{
    private static readonly string Device = Samples.DeviceId(1);
    private static readonly DateTime NoDeadline = DateTime.MaxValue;

    // A long delay, on a clock that only moves when the test moves it. Half the writer's stall threshold (1 s):
    // one move that races a commit under way does not make the store look stalled.
    private static readonly AuditOptions Slow = new() { MaxBatchDelay = TimeSpan.FromMilliseconds(500), BatchSize = 1000, CommitTimeout = TimeSpan.FromMinutes(10) };
    private static readonly AuditOptions Eager = new() { BatchSize = 1000 };

    [Fact]
    public async Task Events_ManyWaiting_WrittenWithoutWaitingForTheDelay()
    {
        await using var temp = await TempSqliteStore.CreateAsync();
        await temp.CreateAccountAsync("acme");
        var (queue, writer) = Writer(temp.Store, new FakeTimeProvider(), Slow);
        var checks = Enumerable.Range(0, 300)
            .Select(i => queue.CommitAsync(Samples.Decision("acme", "ann", Device, 1_000 + i), NoDeadline, CancellationToken.None).AsTask())
            .ToList();

        await writer.StartAsync(CancellationToken.None);

        await Task.WhenAll(checks).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(300, writer.Written);
        Assert.Equal(301, (await temp.Store.ListAuditEventsAsync(new AuditQuery("acme", 1000, null, "", "", null), CancellationToken.None)).Count);
        await writer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Events_FewWaiting_WrittenOnceTheDelayHasPassed()
    {
        await using var temp = await TempSqliteStore.CreateAsync();
        await temp.CreateAccountAsync("acme");
        var time = new FakeTimeProvider();
        var (queue, writer) = Writer(temp.Store, time, Slow);
        await writer.StartAsync(CancellationToken.None);

        var check = queue.CommitAsync(Samples.Decision("acme", "ann", Device, 1_000), NoDeadline, CancellationToken.None).AsTask();
        time.Advance(Slow.MaxBatchDelay);

        await Eventually.HoldsAsync(() =>
        {
            if (queue.Depth == 0)
            {
                return true; // taken: from now on the clock stays, or the commit would look stalled
            }

            // Moves the clock again in case the writer started its wait after the first move.
            time.Advance(Slow.MaxBatchDelay);
            return false;
        });
        await check.WaitAsync(TimeSpan.FromSeconds(10));
        await writer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Commit_BatchStillCommitting_CheckWaitsUntilTheCommitThenItsEventIsStored()
    {
        var store = new ScriptedAuditStore();
        var (queue, writer) = Writer(store, new FakeTimeProvider(), Eager);
        await writer.StartAsync(CancellationToken.None);
        store.Block();
        var entered = store.Entered;

        var check = queue.CommitAsync(Samples.Decision("acme", "ann", Device, 1), NoDeadline, CancellationToken.None).AsTask();
        await entered.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(check.IsCompleted); // the commit is under way, not done
        Assert.Empty(store.Committed);

        store.Release();
        await check.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(store.Committed);
        await writer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Commit_StoreFailing_WaitingChecksFailUnavailableNewOnesAtOnceThenRecovers()
    {
        var store = new ScriptedAuditStore { Failure = () => new SqliteException("database or disk is full", 13) };
        var time = new FakeTimeProvider();
        var (queue, writer) = Writer(store, time, Eager);
        await writer.StartAsync(CancellationToken.None);

        var waiting = queue.CommitAsync(Samples.Decision("acme", "ann", Device, 1), NoDeadline, CancellationToken.None).AsTask();

        var error = await Assert.ThrowsAsync<UnavailableException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("audit store unavailable", error.Message);
        Assert.False(queue.Store.IsAvailable);
        Assert.Contains("disk is full", queue.Store.Outage!.Reason);
        await Assert.ThrowsAsync<UnavailableException>(() => queue.CommitAsync(Samples.Decision("acme", "ann", Device, 2), NoDeadline, CancellationToken.None).AsTask());
        Assert.Equal(2, queue.Tickets.Refusals);

        store.Failure = null;
        await Eventually.HoldsAsync(() =>
        {
            time.Advance(TimeSpan.FromSeconds(2)); // the longest back-off
            return queue.Store.IsAvailable;
        });

        await queue.CommitAsync(Samples.Decision("acme", "ann", Device, 3), NoDeadline, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        // The failed check's event was kept and written (a decision made, though not delivered); the refused one never queued.
        Assert.Equal([1L, 3L], store.Committed.Select(e => e.Time.ToUnixTimeMilliseconds()));
        await writer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Commit_PoisonRow_FailsOnlyItsOwnCheckAndTheOthersAreCommitted()
    {
        var store = new ScriptedAuditStore
        {
            Failure = () => new SqliteException("string or blob too big", 18),
            Refuses = e => e.UserId == "mallory",
        };
        var (queue, writer) = Writer(store, new FakeTimeProvider(), Eager);
        var good1 = queue.CommitAsync(Samples.Decision("acme", "ann", Device, 1), NoDeadline, CancellationToken.None).AsTask();
        var poison = queue.CommitAsync(Samples.Decision("acme", "mallory", Device, 2), NoDeadline, CancellationToken.None).AsTask();
        var good2 = queue.CommitAsync(Samples.Decision("acme", "bob", Device, 3), NoDeadline, CancellationToken.None).AsTask();

        await writer.StartAsync(CancellationToken.None); // one batch of three

        await Task.WhenAll(good1, good2).WaitAsync(TimeSpan.FromSeconds(10));
        var error = await Assert.ThrowsAsync<UnavailableException>(() => poison);
        Assert.StartsWith("audit store unavailable", error.Message);
        Assert.Equal(["ann", "bob"], store.Committed.Select(e => e.UserId));
        Assert.Equal(1, writer.Refused);
        Assert.True(queue.Store.IsAvailable);
        await writer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Commit_StoreLockedPastTheStallThreshold_FailsWaitersAndRefusesNewChecksUntilTheCommitGoesThrough()
    {
        var store = new ScriptedAuditStore();
        var time = new FakeTimeProvider();
        var (queue, writer) = Writer(store, time, Eager);
        await writer.StartAsync(CancellationToken.None);
        store.Block();
        var entered = store.Entered;
        var waiting = queue.CommitAsync(Samples.Decision("acme", "ann", Device, 1), NoDeadline, CancellationToken.None).AsTask();
        await entered.WaitAsync(TimeSpan.FromSeconds(10));

        time.Advance(writer.StallThreshold); // the sweep sees the commit running that long

        await Assert.ThrowsAsync<UnavailableException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("locked", queue.Store.Outage!.Reason);
        await Assert.ThrowsAsync<UnavailableException>(() => queue.CommitAsync(Samples.Decision("acme", "ann", Device, 2), NoDeadline, CancellationToken.None).AsTask());

        store.Release();
        await Eventually.HoldsAsync(() => queue.Store.IsAvailable);
        await queue.CommitAsync(Samples.Decision("acme", "ann", Device, 3), NoDeadline, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await writer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Stop_RightAfterStart_WritesEveryQueuedEvent()
    {
        await using var temp = await TempSqliteStore.CreateAsync();
        await temp.CreateAccountAsync("acme");
        var (queue, writer) = Writer(temp.Store, new FakeTimeProvider(), Slow);
        await writer.StartAsync(CancellationToken.None);
        var checks = Enumerable.Range(0, 5)
            .Select(i => queue.CommitAsync(Samples.Decision("acme", "ann", Device, 1_000 + i), NoDeadline, CancellationToken.None).AsTask())
            .ToList();

        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(5, writer.Written);
        await Task.WhenAll(checks).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Stop_WhileChecksKeepCommitting_WritesEveryAcceptedEventAndRefusesTheRest()
    {
        await using var temp = await TempSqliteStore.CreateAsync();
        await temp.CreateAccountAsync("acme");
        // The clock stands still: however slow the machine, no commit looks stalled and no wait overdue (either
        // would refuse checks whose events are then written), so the only refusal is the stop's.
        var (queue, writer) = Writer(temp.Store, new FakeTimeProvider(), Eager);
        await writer.StartAsync(CancellationToken.None);
        var answered = 0;
        var producers = Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
        {
            for (var i = 0; ; i++)
            {
                try
                {
                    await queue.CommitAsync(Samples.Decision("acme", $"u{p}", Device, i), NoDeadline, CancellationToken.None);
                    Interlocked.Increment(ref answered);
                }
                catch (UnavailableException)
                {
                    return; // refused: the writer is stopping
                }
            }
        })).ToArray();

        // Four producers answer four events per commit: on a loaded machine a commit can take 20 ms and more.
        await Eventually.HoldsAsync(() => Volatile.Read(ref answered) >= 2_000, TimeSpan.FromSeconds(60));
        await writer.StopAsync(CancellationToken.None);
        await Task.WhenAll(producers).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(answered, writer.Written);
        Assert.Equal(0, queue.Depth);
    }

    private static (AuditQueue Queue, AuditWriter Writer) Writer(IAuditStore store, TimeProvider time, AuditOptions settings)
    {
        var options = Options.Create(settings);
        var queue = new AuditQueue(options, time, NullLogger<AuditQueue>.Instance);
        return (queue, new AuditWriter(queue, store, options, time, NullLogger<AuditWriter>.Instance));
    }
}
