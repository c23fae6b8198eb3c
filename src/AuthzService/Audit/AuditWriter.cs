using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Hosting;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.Audit;

/// <summary>
/// Drains the audit queue into the store in batches, one transaction each. On shutdown it stops taking new
/// events and writes every queued one before the process exits; a failed batch is retried, never dropped.
/// </summary>
/// <remarks>
/// Runs on a thread of its own and waits synchronously: the SQLite driver does its I/O (a commit is an fsync)
/// synchronously even through its async methods, and on a thread-pool thread that blocked one of the few
/// threads answering checks, hundreds of times a second under a gateway's load. Not a <c>BackgroundService</c>:
/// that one starts its work through <c>Task.Run</c> with the stopping token, so a stop right after the start
/// cancelled the work before it ran, and the queued events were never written.
/// </remarks>
internal sealed class AuditWriter(
    AuditQueue queue,
    IAuthzStore store,
    IOptions<AuditOptions> options,
    TimeProvider timeProvider,
    ILogger<AuditWriter> logger) : IHostedService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);
    private const int AttemptsBeforeRowByRow = 5;
    private const int EarlyWriteDepth = 256;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(1);

    // Not disposed: it has no timer, and the thread may still read its token after the host gave up waiting.
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Thread? _thread;
    private long _written;

    public long Written => Interlocked.Read(ref _written);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _thread = new Thread(() =>
        {
            try
            {
                Run(_stopping.Token);
                _finished.SetResult();
            }
            catch (Exception e)
            {
                _finished.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "Qbee.Authz audit writer",
        };
        _thread.Start();
        return Task.CompletedTask;
    }

    /// <summary>Takes no more events, cuts the batch wait short, and waits until every queued event is written.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Complete();
        if (_thread is null)
        {
            return; // never started (the host failed before): nothing runs to wait for
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _finished.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host stopped waiting (its shutdown timeout): what is still queued is lost with the process.
        }
    }

    private void Run(CancellationToken stoppingToken)
    {
        var batch = new List<AuditRecord>(options.Value.BatchSize);
        var drained = 0;
        // Reads until the queue is completed and empty; stoppingToken is not passed so shutdown drains.
        while (queue.Reader.WaitToReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult())
        {
            WaitForBatch(stoppingToken);

            while (batch.Count < options.Value.BatchSize && queue.Reader.TryRead(out var record))
            {
                batch.Add(record);
            }

            Write(batch);
            if (stoppingToken.IsCancellationRequested)
            {
                drained += batch.Count;
            }

            batch.Clear();
        }

        if (drained > 0)
        {
            AuthzLog.AuditDrained(logger, drained);
        }
    }

    private void Write(List<AuditRecord> batch)
    {
        // A store that is down comes back: retry the batch. One that keeps refusing it may be refusing one row
        // (too long for a column, say): after a few rounds write row by row, and log a row that still fails
        // in full rather than let it block every event behind it.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                store.AppendAuditEventsAsync(batch, CancellationToken.None).GetAwaiter().GetResult();
                Interlocked.Add(ref _written, batch.Count);
                return;
            }
            catch (Exception e)
            {
                AuthzLog.AuditWriteFailed(logger, e, batch.Count);
                if (attempt >= AttemptsBeforeRowByRow && batch.Count > 1)
                {
                    WriteRowByRow(batch);
                    return;
                }

                Sleep(RetryDelay, CancellationToken.None);
            }
        }
    }

    private void WriteRowByRow(List<AuditRecord> batch)
    {
        foreach (var record in batch)
        {
            try
            {
                store.AppendAuditEventsAsync([record], CancellationToken.None).GetAwaiter().GetResult();
                Interlocked.Increment(ref _written);
            }
            catch (Exception e)
            {
                AuthzLog.AuditEventRefused(logger, e, record.ToString());
            }
        }
    }

    /// <summary>
    /// Woken by the first event: lets others join, or every event costs a transaction. Stops waiting after
    /// <see cref="AuditOptions.MaxBatchDelay"/>, or as soon as <see cref="EarlyWriteDepth"/> events wait: under a
    /// gateway's peak they gather in a millisecond or two, and events written that young die in generation 0
    /// (held 10 ms, they were promoted and forced ~30 gen-1 collections per 300k decisions).
    /// </summary>
    private void WaitForBatch(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var enough = Math.Min(EarlyWriteDepth, settings.BatchSize);
        var started = timeProvider.GetTimestamp();
        while (queue.Depth < enough && !stoppingToken.IsCancellationRequested)
        {
            var left = settings.MaxBatchDelay - timeProvider.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return;
            }

            Sleep(left < PollInterval ? left : PollInterval, stoppingToken);
        }
    }

    /// <summary>Waits on the time provider (tests move it); cancellation ends the wait early, quietly.</summary>
    private void Sleep(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            Task.Delay(delay, timeProvider, cancellationToken).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            // Stopping: write what is there now.
        }
    }
}
