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

    public string AccountId { get; } = accountId;

    public AccountSnapshot? Current => Volatile.Read(ref _current);

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
