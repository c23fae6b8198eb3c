using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Hosting;

namespace Qbee.Authz.Service.Audit;

/// <summary>
/// The bounded queue between checks and the audit writer. Never drops: when full, the producer waits (bounded
/// by its call's deadline), and the wait is counted and logged so GetStatus can say so.
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

    private readonly ConcurrentQueue<AuditRecord> _events = new();
    // No spinning: the writer has a core's worth of checks to share it with, and nothing to do until woken.
    private readonly ManualResetEventSlim _wake = new(initialState: false, spinCount: 0);
    private readonly ILogger<AuditQueue> _logger;
    private int _reserved; // events enqueued or about to be: the depth, and the bound's counter
    private int _completed;
    private long _fullWaits;
    private TaskCompletionSource? _roomFreed;

    public AuditQueue(IOptions<AuditOptions> options, ILogger<AuditQueue> logger)
    {
        _logger = logger;
        Capacity = options.Value.QueueCapacity;
        WakeDepth = Math.Min(EarlyWriteDepth, options.Value.BatchSize);
    }

    public int Depth => Volatile.Read(ref _reserved);

    public int Capacity { get; }

    /// <summary>The depth at which a producer wakes a writer that is letting its batch fill.</summary>
    public int WakeDepth { get; }

    public bool IsCompleted => Volatile.Read(ref _completed) != 0;

    /// <summary>How many times a check had to wait for room.</summary>
    public long FullWaits => Interlocked.Read(ref _fullWaits);

    public ValueTask EnqueueAsync(AuditRecord record, CancellationToken cancellationToken) =>
        TryAdd(record) ? ValueTask.CompletedTask : WaitForRoomAsync(record, cancellationToken);

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
    public void TakeInto(List<AuditRecord> batch, int max)
    {
        var taken = 0;
        while (taken < max && _events.TryDequeue(out var record))
        {
            batch.Add(record);
            taken++;
        }

        if (taken > 0)
        {
            Interlocked.Add(ref _reserved, -taken);
            Interlocked.Exchange(ref _roomFreed, null)?.TrySetResult();
        }
    }

    private bool TryAdd(AuditRecord record)
    {
        var depth = Interlocked.Increment(ref _reserved);
        // Read after the increment (a full fence): either Complete's drain sees this reservation, or this sees it completed.
        if (depth > Capacity || Volatile.Read(ref _completed) != 0)
        {
            Interlocked.Decrement(ref _reserved);
            return false;
        }

        _events.Enqueue(record);
        if (depth == 1 || depth == WakeDepth)
        {
            _wake.Set();
        }

        return true;
    }

    private async ValueTask WaitForRoomAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        if (!IsCompleted)
        {
            Interlocked.Increment(ref _fullWaits);
            AuthzLog.AuditQueueFull(_logger, Depth);
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

            if (TryAdd(record))
            {
                return;
            }

            await roomFreed.WaitAsync(cancellationToken).ConfigureAwait(false);
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
