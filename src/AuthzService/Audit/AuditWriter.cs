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
internal sealed class AuditWriter : IHostedService, IDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);
    private const int AttemptsBeforeRowByRow = 5;

    private readonly AuditQueue _queue;
    private readonly IAuthzStore _store;
    private readonly AuditOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<AuditWriter> _logger;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ITimer _batchDeadline;
    private readonly Func<bool> _hasEvents;
    private readonly Func<bool> _batchReady;
    private Thread? _thread;
    private long _written;
    private volatile bool _deadlinePassed;

    public AuditWriter(AuditQueue queue, IAuthzStore store, IOptions<AuditOptions> options, TimeProvider timeProvider, ILogger<AuditWriter> logger)
    {
        _queue = queue;
        _store = store;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        _batchDeadline = timeProvider.CreateTimer(_ => PassDeadline(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _hasEvents = () => _queue.Depth > 0 || _queue.IsCompleted;
        _batchReady = () => _deadlinePassed || _queue.Depth >= _queue.WakeDepth || _queue.IsCompleted;
    }

    public long Written => Interlocked.Read(ref _written);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _thread = new Thread(() =>
        {
            try
            {
                Run();
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
        _queue.Complete();
        if (_thread is null)
        {
            return; // never started (the host failed before): nothing runs to wait for
        }

        try
        {
            await _finished.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host stopped waiting (its shutdown timeout): what is still queued is lost with the process.
        }
    }

    public void Dispose() => _batchDeadline.Dispose();

    private void Run()
    {
        var batch = new List<AuditRecord>(_options.BatchSize);
        var drained = 0;
        while (true)
        {
            _queue.WaitUntil(_hasEvents);
            if (_queue.IsCompleted && _queue.Depth == 0)
            {
                break;
            }

            WaitForBatch();
            _queue.TakeInto(batch, _options.BatchSize);
            if (batch.Count == 0)
            {
                Thread.Yield(); // a producer has reserved its place and not yet put its event in
                continue;
            }

            Write(batch);
            if (_queue.IsCompleted)
            {
                drained += batch.Count;
            }

            batch.Clear();
        }

        if (drained > 0)
        {
            AuthzLog.AuditDrained(_logger, drained);
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
                _store.AppendAuditEventsAsync(batch, CancellationToken.None).GetAwaiter().GetResult();
                Interlocked.Add(ref _written, batch.Count);
                return;
            }
            catch (Exception e)
            {
                AuthzLog.AuditWriteFailed(_logger, e, batch.Count);
                if (attempt >= AttemptsBeforeRowByRow && batch.Count > 1)
                {
                    WriteRowByRow(batch);
                    return;
                }

                Sleep(RetryDelay);
            }
        }
    }

    private void WriteRowByRow(List<AuditRecord> batch)
    {
        foreach (var record in batch)
        {
            try
            {
                _store.AppendAuditEventsAsync([record], CancellationToken.None).GetAwaiter().GetResult();
                Interlocked.Increment(ref _written);
            }
            catch (Exception e)
            {
                AuthzLog.AuditEventRefused(_logger, e, record.ToString());
            }
        }
    }

    /// <summary>
    /// Woken by the first event: lets others join, or every event costs a transaction. Stops waiting after
    /// <see cref="AuditOptions.MaxBatchDelay"/>, or as soon as <see cref="AuditQueue.WakeDepth"/> events wait:
    /// events written that young die in generation 0 (held 10 ms under a gateway's peak, they were promoted and
    /// forced ~30 gen-1 collections per 300k decisions). One timer, armed per batch: no polling.
    /// </summary>
    private void WaitForBatch()
    {
        _deadlinePassed = false;
        if (_batchReady() || _options.MaxBatchDelay <= TimeSpan.Zero)
        {
            return;
        }

        _batchDeadline.Change(_options.MaxBatchDelay, Timeout.InfiniteTimeSpan);
        _queue.WaitUntil(_batchReady);
        _batchDeadline.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    private void PassDeadline()
    {
        _deadlinePassed = true;
        _queue.Wake();
    }

    /// <summary>Waits on the time provider (tests move it).</summary>
    private void Sleep(TimeSpan delay) => Task.Delay(delay, _timeProvider).GetAwaiter().GetResult();
}
