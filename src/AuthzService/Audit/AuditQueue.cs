using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Audit;

/// <summary>
/// The bounded queue between connect checks and the audit writer. A check queues its events and waits until the
/// writer has committed them (<see cref="CommitAsync(AuditRecord, DateTime, CancellationToken)"/>): it is answered
/// only then. Never drops: when full, the producer waits (bounded by its call's deadline), and the wait is counted
/// and logged so GetStatus can say so. While the writer sees the store failing, checks are refused at once.
/// </summary>
/// <remarks>
/// Every remote-access check enqueues, so adding takes no lock: a slot is reserved with one interlocked add, and
/// the writer is woken only by the first event after it emptied the queue and by the one that makes
/// <see cref="WakeDepth"/>. (A bounded <c>Channel</c> took its lock for every event on both sides, and woke
/// the writer through a task it then waited on with a spin.)
/// </remarks>
internal sealed class AuditQueue
{
    /// <summary>Under a gateway's peak this many events gather in a millisecond or two: then the writer goes.</summary>
    private const int EarlyWriteDepth = 256;

    private readonly ConcurrentQueue<AuditEntry> _events = new();
    // No spinning: the writer has a core's worth of checks to share it with, and nothing to do until woken.
    private readonly ManualResetEventSlim _wake = new(initialState: false, spinCount: 0);
    private readonly ILogger<AuditQueue> _logger;
    private readonly TimeProvider _timeProvider;
    private readonly long _commitTimeout; // in TimeProvider ticks
    private int _reserved; // events enqueued or about to be: the depth, and the bound's counter
    private int _completed;
    private long _fullWaits;
    private TaskCompletionSource? _roomFreed;

    public AuditQueue(IOptions<AuditOptions> options, TimeProvider timeProvider, ILogger<AuditQueue> logger)
    {
        _logger = logger;
        _timeProvider = timeProvider;
        _commitTimeout = (long)(options.Value.CommitTimeout.TotalSeconds * timeProvider.TimestampFrequency);
        Capacity = options.Value.QueueCapacity;
        WakeDepth = Math.Min(EarlyWriteDepth, options.Value.BatchSize);
        Store = new AuditStoreState(timeProvider, logger);
    }

    /// <summary>Whether the store takes events (the writer says).</summary>
    public AuditStoreState Store { get; }

    /// <summary>Rung by the writer after each commit, for the audit watches.</summary>
    public AuditCommitSignal Commits { get; } = new();

    /// <summary>The checks' waits; the writer completes them.</summary>
    public AuditTickets Tickets { get; } = new();

    public int Depth => Volatile.Read(ref _reserved);

    public int Capacity { get; }

    /// <summary>The depth at which a producer wakes a writer that is letting its batch fill.</summary>
    public int WakeDepth { get; }

    public bool IsCompleted => Volatile.Read(ref _completed) != 0;

    /// <summary>How many times a check had to wait for room.</summary>
    public long FullWaits => Interlocked.Read(ref _fullWaits);

    /// <summary>
    /// Queues a connect decision's event; completes once it is committed. UNAVAILABLE ("audit store unavailable")
    /// when the store is failing, or when the commit does not come before <paramref name="deadline"/> (most of
    /// what is left of it, so the answer arrives in time) or <see cref="AuditOptions.CommitTimeout"/>.
    /// </summary>
    public ValueTask CommitAsync(AuditRecord record, DateTime deadline, CancellationToken cancellationToken)
    {
        var ticket = Arm(1, deadline, out var use);
        var entry = new AuditEntry(record, ticket, use);
        if (TryAdd(entry))
        {
            return ticket.WaitAsync();
        }

        return QueueThenWaitAsync(entry, cancellationToken);
    }

    /// <summary>The events of one CheckBatch, committed together (or not): one wait for all of them.</summary>
    public async ValueTask CommitAsync(IReadOnlyList<AuditRecord> records, DateTime deadline, CancellationToken cancellationToken)
    {
        var ticket = Arm(records.Count, deadline, out var use);
        try
        {
            foreach (var record in records)
            {
                var entry = new AuditEntry(record, ticket, use);
                if (!TryAdd(entry))
                {
                    await WaitForRoomAsync(entry, cancellationToken);
                }
            }
        }
        catch
        {
            ticket.Abandon(use);
            throw;
        }

        await ticket.WaitAsync();
    }

    /// <summary>No more events: the writer drains what is queued and stops; later producers are refused.</summary>
    public void Complete()
    {
        Interlocked.Exchange(ref _completed, 1);
        Interlocked.Exchange(ref _roomFreed, null)?.TrySetResult();
        _wake.Set();
    }

    /// <summary>Wakes the writer to look again (its batch deadline passed, or it is stopping).</summary>
    public void Wake() => _wake.Set();

    /// <summary>
    /// Blocks the writer until <paramref name="ready"/> holds, looking again each time a producer,
    /// <see cref="Wake"/> or <see cref="Complete"/> wakes it.
    /// </summary>
    public void WaitUntil(Func<bool> ready)
    {
        while (!ready())
        {
            // Reset before looking again, so a wake between the look and the wait is not lost.
            _wake.Reset();
            if (ready())
            {
                return;
            }

            _wake.Wait();
        }
    }

    /// <summary>Moves up to <paramref name="max"/> queued events into <paramref name="batch"/>; the writer's side.</summary>
    public void TakeInto(List<AuditEntry> batch, int max)
    {
        var taken = 0;
        while (taken < max && _events.TryDequeue(out var entry))
        {
            batch.Add(entry);
            taken++;
        }

        if (taken > 0)
        {
            Interlocked.Add(ref _reserved, -taken);
            Interlocked.Exchange(ref _roomFreed, null)?.TrySetResult();
        }
    }

    private AuditTicket Arm(int events, DateTime deadline, out uint use)
    {
        if (!Store.IsAvailable)
        {
            Tickets.CountRefusal();
            throw new Domain.UnavailableException(AuditTicket.Unavailable);
        }

        var ticket = Tickets.Rent();
        use = ticket.Arm(events, Due(deadline));
        return ticket;
    }

    private long Due(DateTime deadline)
    {
        var now = _timeProvider.GetTimestamp();
        var wait = _commitTimeout;
        if (deadline != DateTime.MaxValue)
        {
            // Give up with most of the call's time spent, so UNAVAILABLE reaches the caller before its deadline does.
            var left = (deadline - _timeProvider.GetUtcNow().UtcDateTime).TotalSeconds * 0.9 * _timeProvider.TimestampFrequency;
            wait = Math.Min(wait, (long)Math.Max(left, 0));
        }

        return now + wait;
    }

    private async ValueTask QueueThenWaitAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await WaitForRoomAsync(entry, cancellationToken);
        }
        catch
        {
            entry.Ticket.Abandon(entry.Use);
            throw;
        }

        await entry.Ticket.WaitAsync();
    }

    private bool TryAdd(AuditEntry entry)
    {
        var depth = Interlocked.Increment(ref _reserved);
        // Read after the increment (a full fence): either Complete's drain sees this reservation, or this sees it completed.
        if (depth > Capacity || Volatile.Read(ref _completed) != 0)
        {
            Interlocked.Decrement(ref _reserved);
            return false;
        }

        _events.Enqueue(entry);
        if (depth == 1 || depth == WakeDepth)
        {
            _wake.Set();
        }

        return true;
    }

    private async ValueTask WaitForRoomAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        if (!IsCompleted)
        {
            Interlocked.Increment(ref _fullWaits);
            AuditLog.AuditQueueFull(_logger, Depth);
        }

        while (true)
        {
            // Taken before trying again, so room freed after the try completes this one.
            var roomFreed = RoomFreedSignal();
            if (IsCompleted)
            {
                // Shutting down: the decision cannot be audited any more, so it is not given (fail closed).
                throw new Domain.UnavailableException("the service is shutting down");
            }

            if (TryAdd(entry))
            {
                return;
            }

            await roomFreed.WaitAsync(cancellationToken);
        }
    }

    private Task RoomFreedSignal()
    {
        var current = Volatile.Read(ref _roomFreed);
        if (current is not null)
        {
            return current.Task;
        }

        var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return (Interlocked.CompareExchange(ref _roomFreed, fresh, null) ?? fresh).Task;
    }
}
