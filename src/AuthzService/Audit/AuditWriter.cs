using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.Audit;

/// <summary>
/// Drains the audit queue into the store, one transaction per batch, then releases every check waiting on that
/// batch (group commit: while one batch commits, the next gathers). On shutdown it stops taking new events and
/// writes every queued one before the process exits.
/// </summary>
/// <remarks>
/// <para>When the store fails, the batch is kept and retried with a bounded back-off; the store is marked
/// unavailable (new connect checks are refused at once) and every waiting check is failed UNAVAILABLE. The first
/// commit that goes through marks it available again. An event the store refuses for good (a poison row: a
/// refusal, or an unknown error while other rows go in) is isolated by writing row by row, logged in full, and
/// its check alone is refused.</para>
/// <para>A sweep (<see cref="SweepInterval"/>) fails the waits that are overdue, and marks the store unavailable
/// when a commit has run for <see cref="StallThreshold"/>: a locked store blocks the writer for as long as the
/// driver's busy wait, but no check waits past its deadline.</para>
/// <para>Runs on a thread of its own and waits synchronously: the SQLite driver does its I/O (a commit is an
/// fsync) synchronously even through its async methods, and on a thread-pool thread that blocked one of the few
/// threads answering checks, hundreds of times a second under a gateway's load. Not a <c>BackgroundService</c>:
/// that one starts its work through <c>Task.Run</c> with the stopping token, so a stop right after the start
/// cancelled the work before it ran, and the queued events were never written.</para>
/// </remarks>
internal sealed class AuditWriter : IHostedService, IDisposable
{
    public static readonly TimeSpan SweepInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);
    private const int AttemptsBeforeRowByRow = 5;

    private readonly AuditQueue _queue;
    private readonly IAuditStore _store;
    private readonly AuditOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<AuditWriter> _logger;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ITimer _batchDeadline;
    private readonly ITimer _sweep;
    private readonly Func<bool> _hasEvents;
    private readonly Func<bool> _batchReady;
    private readonly List<AuditRecord> _records;
    private readonly Lock _attempt = new(); // taken twice per commit, and by the sweep: never by a check
    private Thread? _thread;
    private long _written;
    private long _refused;
    private long _attemptStarted; // TimeProvider timestamp of the commit under way; 0: none
    private volatile bool _deadlinePassed;

    public AuditWriter(AuditQueue queue, IAuditStore store, IOptions<AuditOptions> options, TimeProvider timeProvider, ILogger<AuditWriter> logger)
    {
        _queue = queue;
        _store = store;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        _records = new List<AuditRecord>(_options.BatchSize);
        _batchDeadline = timeProvider.CreateTimer(_ => PassDeadline(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _sweep = timeProvider.CreateTimer(_ => Sweep(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _hasEvents = () => _queue.Depth > 0 || _queue.IsCompleted;
        _batchReady = () => _deadlinePassed || _queue.Depth >= _queue.WakeDepth || _queue.IsCompleted;
        StallThreshold = options.Value.CommitTimeout < TimeSpan.FromSeconds(1) ? options.Value.CommitTimeout : TimeSpan.FromSeconds(1);
    }

    /// <summary>A commit running this long means the store is locked or failing: new connect checks are refused.</summary>
    public TimeSpan StallThreshold { get; }

    public long Written => Interlocked.Read(ref _written);

    /// <summary>Events the store refused for good (their checks were refused).</summary>
    public long Refused => Interlocked.Read(ref _refused);

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
        _sweep.Change(SweepInterval, SweepInterval);
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
            await _finished.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host stopped waiting (its shutdown timeout): what is still queued is lost with the process.
        }
    }

    public void Dispose()
    {
        _batchDeadline.Dispose();
        _sweep.Dispose();
    }

    private void Run()
    {
        var batch = new List<AuditEntry>(_options.BatchSize);
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

            var taken = batch.Count;
            Write(batch);
            if (_queue.IsCompleted)
            {
                drained += taken;
            }

            batch.Clear();
        }

        if (drained > 0)
        {
            AuditLog.AuditDrained(_logger, drained);
        }
    }

    /// <summary>Returns once every event of the batch is committed or refused for good.</summary>
    private void Write(List<AuditEntry> batch)
    {
        for (var failures = 1; ; failures++)
        {
            var failure = TryAppend(batch, 0, batch.Count);
            if (failure is null)
            {
                return;
            }

            var fault = StoreFaults.Classify(failure);
            if (batch.Count == 1 && fault == StoreFault.Refusal)
            {
                Refuse(batch[0], failure);
                return;
            }

            if (batch.Count > 1 && (fault == StoreFault.Refusal || (fault == StoreFault.Unknown && failures % AttemptsBeforeRowByRow == 0)))
            {
                failure = WriteRowByRow(batch);
                if (failure is null)
                {
                    return;
                }
            }

            AuditLog.AuditWriteFailed(_logger, failure, batch.Count);
            _queue.Store.Unavailable(failure.Message);
            _queue.Tickets.FailAll(AuditTicket.Unavailable);
            Sleep(RetryDelay(failures));
        }
    }

    /// <summary>
    /// Writes the events one by one: commits those the store takes, refuses those it refuses for good, and keeps in
    /// <paramref name="batch"/> the rest, from the first that fails as an outage; returns that failure (null: none).
    /// </summary>
    private Exception? WriteRowByRow(List<AuditEntry> batch)
    {
        var storeWorks = false;
        var kept = 0;
        Exception? outage = null;
        for (var i = 0; i < batch.Count; i++)
        {
            if (outage is not null)
            {
                batch[kept++] = batch[i];
                continue;
            }

            var failure = TryAppend(batch, i, 1);
            if (failure is null)
            {
                storeWorks = true;
                continue;
            }

            var fault = StoreFaults.Classify(failure);
            if (fault == StoreFault.Refusal || (fault == StoreFault.Unknown && storeWorks))
            {
                Refuse(batch[i], failure);
                continue;
            }

            outage = failure;
            batch[kept++] = batch[i];
        }

        batch.RemoveRange(kept, batch.Count - kept);
        return outage;
    }

    /// <summary>One transaction of <paramref name="count"/> events from <paramref name="start"/>; releases their checks when it commits.</summary>
    private Exception? TryAppend(List<AuditEntry> batch, int start, int count)
    {
        _records.Clear();
        for (var i = start; i < start + count; i++)
        {
            _records.Add(batch[i].Record);
        }

        lock (_attempt)
        {
            _attemptStarted = _timeProvider.GetTimestamp();
        }

        Exception? failure = null;
        try
        {
            _store.AppendAuditEventsAsync(_records, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            failure = e;
        }

        lock (_attempt)
        {
            _attemptStarted = 0;
        }

        if (failure is not null)
        {
            return failure;
        }

        Interlocked.Add(ref _written, count);
        _queue.Store.Available();
        _queue.Commits.Ring();
        for (var i = start; i < start + count; i++)
        {
            batch[i].Ticket.Committed(batch[i].Use);
        }

        return null;
    }

    private void Refuse(AuditEntry entry, Exception failure)
    {
        Interlocked.Increment(ref _refused);
        AuditLog.AuditEventRefused(_logger, failure, entry.Record.ToString());
        entry.Ticket.Fail(entry.Use, $"{AuditTicket.Unavailable}: the store refuses this decision's event");
        _queue.Store.Available(); // it answered: a refusal is not an outage
    }

    /// <summary>
    /// On a timer, never on the writer's thread (which may be blocked in the store): marks the store unavailable
    /// when a commit has run too long, and fails the waits that the store's state or their deadline ends.
    /// </summary>
    private void Sweep()
    {
        var now = _timeProvider.GetTimestamp();
        lock (_attempt)
        {
            var started = _attemptStarted;
            if (started != 0 && _timeProvider.GetElapsedTime(started, now) >= StallThreshold)
            {
                _queue.Store.Unavailable($"a commit has not finished in {StallThreshold.TotalSeconds:0.#} s: the store is locked or too slow");
            }
        }

        if (_queue.Store.IsAvailable)
        {
            _queue.Tickets.FailOverdue(AuditTicket.Unavailable, now);
        }
        else
        {
            _queue.Tickets.FailAll(AuditTicket.Unavailable);
        }
    }

    private static TimeSpan RetryDelay(int failures) =>
        TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, FirstRetryDelay.Ticks << Math.Min(failures - 1, 10)));

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
