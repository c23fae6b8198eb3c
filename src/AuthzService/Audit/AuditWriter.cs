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
/// threads answering checks, hundreds of times a second under a gateway's load.
/// </remarks>
internal sealed class AuditWriter(
    AuditQueue queue,
    IAuthzStore store,
    IOptions<AuditOptions> options,
    TimeProvider timeProvider,
    ILogger<AuditWriter> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);
    private const int AttemptsBeforeRowByRow = 5;

    private long _written;

    public long Written => Interlocked.Read(ref _written);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Complete();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Run(stoppingToken);
                finished.SetResult();
            }
            catch (Exception e)
            {
                finished.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "Qbee.Authz audit writer",
        };
        thread.Start();
        return finished.Task;
    }

    private void Run(CancellationToken stoppingToken)
    {
        var batch = new List<AuditRecord>(options.Value.BatchSize);
        var drained = 0;
        // Reads until the queue is completed and empty; stoppingToken is not passed so shutdown drains.
        while (queue.Reader.WaitToReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult())
        {
            // Woken by the first event: give the others a moment to join, or every event costs a transaction.
            if (queue.Depth < options.Value.BatchSize && !stoppingToken.IsCancellationRequested)
            {
                Sleep(options.Value.MaxBatchDelay, stoppingToken);
            }

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
