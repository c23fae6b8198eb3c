using System.Threading.Tasks.Sources;
using Qbee.Authz.Service.Domain;

namespace Qbee.Authz.Service.Audit;

/// <summary>
/// A check's wait for its audit events to be committed: completed by the writer once the last of them is, or
/// failed (by the writer, or by its sweep when the wait is overdue). Pooled: a check rents one, awaits it once,
/// and the await hands it back, so a connect check allocates no waiter of its own.
/// </summary>
/// <remarks>
/// The writer may still hold events of an earlier use when a ticket is reused (their check gave up), so each
/// use has a number, and the state (use, events pending) changes by one compare-and-swap: a completion that
/// names another use changes nothing.
/// </remarks>
internal sealed class AuditTicket : IValueTaskSource
{
    public const string Unavailable = "audit store unavailable";

    private const int Failed = -1;

    private readonly AuditTickets _pool;
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private long _state; // use << 32 | events pending (0: committed, -1: failed)
    private long _due;
    private string? _failure;

    public AuditTicket(AuditTickets pool)
    {
        _pool = pool;
        _state = Pack(0, 0);
    }

    /// <summary>The current use, to put beside each event.</summary>
    public uint Use => (uint)(Volatile.Read(ref _state) >>> 32);

    /// <summary>Starts a use: <paramref name="events"/> to commit, given up at <paramref name="due"/> (a TimeProvider timestamp).</summary>
    public uint Arm(int events, long due)
    {
        _core.Reset();
        _failure = null;
        _due = due;
        var use = Use + 1;
        Volatile.Write(ref _state, Pack(use, events));
        return use;
    }

    public ValueTask WaitAsync() => new(this, _core.Version);

    /// <summary>One event of <paramref name="use"/> is committed; the last one completes the wait.</summary>
    public void Committed(uint use)
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if ((uint)(state >>> 32) != use || (int)state <= 0)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _state, state - 1, state) == state)
            {
                if ((int)state == 1)
                {
                    _core.SetResult(true);
                }

                return;
            }
        }
    }

    /// <summary>Fails the wait of <paramref name="use"/> unless it is already over; true when this call ended it.</summary>
    public bool Fail(uint use, string reason)
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if ((uint)(state >>> 32) != use || (int)state <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _state, Pack(use, Failed), state) == state)
            {
                _failure = reason;
                _core.SetResult(false);
                return true;
            }
        }
    }

    /// <summary>Fails the current use if it is still waiting and, with <paramref name="now"/>, only once it is due.</summary>
    public void FailIfWaiting(string reason, long now = long.MaxValue)
    {
        var state = Volatile.Read(ref _state);
        // The due time read after the state belongs to this use or a later one, whose Fail then changes nothing.
        if ((int)state > 0 && now >= Volatile.Read(ref _due))
        {
            Fail((uint)(state >>> 32), reason);
        }
    }

    /// <summary>The check will not await (its events could not all be queued): ends the use and returns the ticket.</summary>
    public void Abandon(uint use)
    {
        Fail(use, Unavailable);
        _pool.Return(this);
    }

    void IValueTaskSource.GetResult(short token)
    {
        _core.GetResult(token);
        var failure = _failure;
        _pool.Return(this); // nothing touches this use after GetResult
        if (failure is not null)
        {
            _pool.CountRefusal();
            throw new UnavailableException(failure);
        }
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private static long Pack(uint use, int pending) => (long)use << 32 | (uint)pending;
}
