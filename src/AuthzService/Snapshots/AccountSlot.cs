using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>
/// Holds the current snapshot of one account. Readers take <see cref="Current"/> without a lock; a newer
/// snapshot (or, through <see cref="Replace"/>, the store's own after a restore) replaces it in one atomic swap and
/// wakes whoever waits for a revision.
/// </summary>
internal sealed class AccountSlot(string accountId)
{
    private readonly Lock _swap = new();
    private AccountSnapshot? _current;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastUsed = Environment.TickCount64;
    private int _inFlight;

    public string AccountId { get; } = accountId;

    public AccountSnapshot? Current => Volatile.Read(ref _current);

    /// <summary>When a check last used the account (<see cref="Environment.TickCount64"/>): the LRU order of eviction.</summary>
    public long LastUsed => Volatile.Read(ref _lastUsed);

    /// <summary>Calls holding the account (a min_revision wait, an open watch): never evicted while any does.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// Stamps the account used, from the hot path: no lock, no allocation, and a write only when the clock has moved
    /// (a millisecond or more), so checks on many cores do not keep taking the cache line from each other.
    /// </summary>
    public void Touch()
    {
        var now = Environment.TickCount64;
        if (Volatile.Read(ref _lastUsed) != now)
        {
            Volatile.Write(ref _lastUsed, now);
        }
    }

    public void Enter()
    {
        Interlocked.Increment(ref _inFlight);
        Touch();
    }

    public void Exit() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Drops the snapshot held (eviction); returns it, null when none. A later load publishes into this slot again.</summary>
    public AccountSnapshot? Evict()
    {
        lock (_swap)
        {
            // A full fence: the caller reads InFlight after this, against a call that entered meanwhile.
            return Interlocked.Exchange(ref _current, null);
        }
    }

    /// <summary>Completes at the next swap.</summary>
    public Task NextChange
    {
        get
        {
            lock (_swap)
            {
                return _changed.Task;
            }
        }
    }

    /// <summary>Swaps in <paramref name="snapshot"/> when it is newer; returns the snapshot it replaced.</summary>
    public bool TryPublish(AccountSnapshot snapshot, out AccountSnapshot? previous) => Swap(snapshot, onlyNewer: true, out previous);

    /// <summary>
    /// Swaps in <paramref name="snapshot"/> whatever its revision: the store holds another history (restored from an
    /// older copy) and the current snapshot shows a state it does not have.
    /// </summary>
    public void Replace(AccountSnapshot snapshot, out AccountSnapshot? previous) => Swap(snapshot, onlyNewer: false, out previous);

    private bool Swap(AccountSnapshot snapshot, bool onlyNewer, out AccountSnapshot? previous)
    {
        TaskCompletionSource changed;
        lock (_swap)
        {
            previous = _current;
            if (onlyNewer && previous is not null && snapshot.Revision <= previous.Revision)
            {
                return false;
            }

            Volatile.Write(ref _current, snapshot);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
        return true;
    }
}
