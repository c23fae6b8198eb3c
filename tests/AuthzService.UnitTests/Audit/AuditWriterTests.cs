using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.Service.UnitTests.Storage;

namespace Qbee.Authz.Service.UnitTests.Audit;

public sealed class AuditWriterTests
{
    private static readonly string Device = Samples.DeviceId(1);

    // The longest delay the options allow, on a clock that only moves when the test moves it.
    private static readonly AuditOptions Slow = new() { MaxBatchDelay = TimeSpan.FromSeconds(1), BatchSize = 1000 };

    [Fact]
    public async Task Events_ManyWaiting_WrittenWithoutWaitingForTheDelay()
    {
        await using var temp = await TempSqliteStore.CreateAsync();
        await temp.CreateAccountAsync("acme");
        var (queue, writer) = Writer(temp.Store, new FakeTimeProvider());
        for (var i = 0; i < 300; i++)
        {
            await queue.EnqueueAsync(Samples.Decision("acme", "ann", Device, 1_000 + i), CancellationToken.None);
        }

        await writer.StartAsync(CancellationToken.None);

        await WaitUntilAsync(() => writer.Written == 300);
        Assert.Equal(301, (await temp.Store.ListAuditEventsAsync(new AuditQuery("acme", 1000, null, "", "", null), CancellationToken.None)).Count);
        await writer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Events_FewWaiting_WrittenOnceTheDelayHasPassed()
    {
        await using var temp = await TempSqliteStore.CreateAsync();
        await temp.CreateAccountAsync("acme");
        var time = new FakeTimeProvider();
        var (queue, writer) = Writer(temp.Store, time);
        await writer.StartAsync(CancellationToken.None);

        await queue.EnqueueAsync(Samples.Decision("acme", "ann", Device, 1_000), CancellationToken.None);
        time.Advance(Slow.MaxBatchDelay);

        await WaitUntilAsync(() =>
        {
            // Moves the clock again in case the writer started its wait after the first move.
            time.Advance(Slow.MaxBatchDelay);
            return writer.Written == 1;
        });
        await writer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Stop_RightAfterStart_WritesEveryQueuedEvent()
    {
        await using var temp = await TempSqliteStore.CreateAsync();
        await temp.CreateAccountAsync("acme");
        var (queue, writer) = Writer(temp.Store, new FakeTimeProvider());
        await writer.StartAsync(CancellationToken.None);
        for (var i = 0; i < 5; i++)
        {
            await queue.EnqueueAsync(Samples.Decision("acme", "ann", Device, 1_000 + i), CancellationToken.None);
        }

        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(5, writer.Written);
    }

    [Fact]
    public async Task Stop_WhileChecksKeepEnqueueing_WritesEveryAcceptedEventAndRefusesTheRest()
    {
        await using var temp = await TempSqliteStore.CreateAsync();
        await temp.CreateAccountAsync("acme");
        var (queue, writer) = Writer(temp.Store, TimeProvider.System);
        await writer.StartAsync(CancellationToken.None);
        var accepted = 0;
        var producers = Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
        {
            for (var i = 0; ; i++)
            {
                try
                {
                    await queue.EnqueueAsync(Samples.Decision("acme", $"u{p}", Device, i), CancellationToken.None);
                    Interlocked.Increment(ref accepted);
                }
                catch (UnavailableException)
                {
                    return; // refused: the writer is stopping
                }
            }
        })).ToArray();

        await WaitUntilAsync(() => Volatile.Read(ref accepted) >= 2_000);
        await writer.StopAsync(CancellationToken.None);
        await Task.WhenAll(producers).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(accepted, writer.Written);
        Assert.Equal(0, queue.Depth);
    }

    private static (AuditQueue Queue, AuditWriter Writer) Writer(IAuthzStore store, TimeProvider time)
    {
        var options = Options.Create(Slow);
        var queue = new AuditQueue(options, NullLogger<AuditQueue>.Instance);
        return (queue, new AuditWriter(queue, store, options, time, NullLogger<AuditWriter>.Instance));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the audit writer did not write in time");
            await Task.Delay(20);
        }
    }
}
