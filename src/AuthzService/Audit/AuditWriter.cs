using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Hosting;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.Audit;

/// <summary>
/// Drains the audit queue into the store in batches, one transaction each. On shutdown it stops taking new
/// events and writes every queued one before the process exits; a failed batch is retried, never dropped.
/// </summary>
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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AuditRecord>(options.Value.BatchSize);
        var drained = 0;
        // Reads until the queue is completed and empty; stoppingToken is not passed so shutdown drains.
        while (await queue.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            // Woken by the first event: give the others a moment to join, or every event costs a transaction.
            if (queue.Depth < options.Value.BatchSize && !stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(options.Value.MaxBatchDelay, timeProvider, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Stopping: write what is there now.
                }
            }

            while (batch.Count < options.Value.BatchSize && queue.Reader.TryRead(out var record))
            {
                batch.Add(record);
            }

            await WriteAsync(batch).ConfigureAwait(false);
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

    private async Task WriteAsync(List<AuditRecord> batch)
    {
        // A store that is down comes back: retry the batch. One that keeps refusing it may be refusing one row
        // (too long for a column, say): after a few rounds write row by row, and log a row that still fails
        // in full rather than let it block every event behind it.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.AppendAuditEventsAsync(batch, CancellationToken.None).ConfigureAwait(false);
                Interlocked.Add(ref _written, batch.Count);
                return;
            }
            catch (Exception e)
            {
                AuthzLog.AuditWriteFailed(logger, e, batch.Count);
                if (attempt >= AttemptsBeforeRowByRow && batch.Count > 1)
                {
                    await WriteRowByRowAsync(batch).ConfigureAwait(false);
                    return;
                }

                await Task.Delay(RetryDelay, timeProvider).ConfigureAwait(false);
            }
        }
    }

    private async Task WriteRowByRowAsync(List<AuditRecord> batch)
    {
        foreach (var record in batch)
        {
            try
            {
                await store.AppendAuditEventsAsync([record], CancellationToken.None).ConfigureAwait(false);
                Interlocked.Increment(ref _written);
            }
            catch (Exception e)
            {
                AuthzLog.AuditEventRefused(logger, e, record.ToString());
            }
        }
    }
}
