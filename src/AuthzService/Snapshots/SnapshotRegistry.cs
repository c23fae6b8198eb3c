using System.Collections.Concurrent;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>
/// The process's live snapshots, one per account, and the platform-wide directory user → account (a check
/// names the user alone). Lookups are lock-free; the snapshot stays authoritative, so a stale directory
/// entry can only lead to "user not found", never to a grant.
/// </summary>
internal sealed class SnapshotRegistry(IEnumerable<ISnapshotObserver> observers)
{
    private readonly ConcurrentDictionary<string, AccountSlot> _accounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, UserRef> _users = new(StringComparer.Ordinal);
    private readonly ISnapshotObserver[] _observers = [.. observers];

    /// <summary>The longest a min_revision wait lasts, whatever the caller's deadline.</summary>
    public static readonly TimeSpan MaxRevisionWait = TimeSpan.FromSeconds(30);

    public SnapshotRegistry()
        : this([])
    {
    }

    public IEnumerable<AccountSnapshot> Snapshots =>
        _accounts.Values.Select(slot => slot.Current).OfType<AccountSnapshot>();

    public AccountSnapshot? Get(string accountId) =>
        _accounts.TryGetValue(accountId, out var slot) ? slot.Current : null;

    /// <summary>The snapshot of the user's account and the user in it; false when no account knows the user.</summary>
    public bool TryFindUser(string userId, out AccountSnapshot snapshot, out UserEntry user)
    {
        if (_users.TryGetValue(userId, out var known) && known.Slot.Current is { } current)
        {
            // One hash lookup on the hot path: the reference already holds the user of the current snapshot.
            if (ReferenceEquals(current, known.Snapshot))
            {
                snapshot = current;
                user = known.User;
                return true;
            }

            if (current.Users.TryGetValue(userId, out var entry))
            {
                snapshot = current;
                user = entry;
                return true;
            }
        }

        snapshot = null!;
        user = null!;
        return false;
    }

    /// <summary>Swaps in a snapshot when it is newer than the current one of its account.</summary>
    public bool Publish(AccountSnapshot snapshot)
    {
        var slot = _accounts.GetOrAdd(snapshot.AccountId, id => new AccountSlot(id));
        if (!slot.TryPublish(snapshot, out var previous))
        {
            return false;
        }

        UpdateDirectory(slot, snapshot, previous);
        foreach (var observer in _observers)
        {
            observer.Swapped(snapshot);
        }

        return true;
    }

    /// <summary>
    /// Swaps in the store's snapshot of an account in place of one the store does not have (another history, newer
    /// or not): a store restored from an older copy is the truth.
    /// </summary>
    public void Replace(AccountSnapshot snapshot)
    {
        var slot = _accounts.GetOrAdd(snapshot.AccountId, id => new AccountSlot(id));
        slot.Replace(snapshot, out var previous);
        UpdateDirectory(slot, snapshot, previous);
        foreach (var observer in _observers)
        {
            observer.Replaced(snapshot);
        }
    }

    private void UpdateDirectory(AccountSlot slot, AccountSnapshot snapshot, AccountSnapshot? previous)
    {
        // Serialised per account so that two swaps in a row leave the directory at the newer one.
        lock (slot)
        {
            if (ReferenceEquals(slot.Current, snapshot))
            {
                foreach (var (userId, entry) in snapshot.Users)
                {
                    _users[userId] = new UserRef(slot, snapshot, entry);
                }

                foreach (var userId in previous?.Users.Keys ?? [])
                {
                    if (!snapshot.Users.ContainsKey(userId) && _users.TryGetValue(userId, out var known) && known.Slot == slot)
                    {
                        _users.TryRemove(new KeyValuePair<string, UserRef>(userId, known));
                        RepointMovedUser(userId);
                    }
                }
            }
        }
    }

    /// <summary>
    /// A user gone from one account may live in another (deleted, then created there, with this account's
    /// snapshot arriving late): point the directory at the account that has it now. Rare: a scan is fine.
    /// </summary>
    private void RepointMovedUser(string userId)
    {
        foreach (var other in _accounts.Values)
        {
            if (other.Current is { } current && current.Users.TryGetValue(userId, out var entry))
            {
                _users.TryAdd(userId, new UserRef(other, current, entry));
                return;
            }
        }
    }

    /// <summary>A user's account, and the user as the snapshot of that time holds it.</summary>
    private sealed record UserRef(AccountSlot Slot, AccountSnapshot Snapshot, UserEntry User);

    /// <summary>
    /// The account's snapshot at <paramref name="revision"/> or later; waits for it until cancelled
    /// (the call's deadline), then fails with UNAVAILABLE so the caller may retry elsewhere.
    /// </summary>
    public async ValueTask<AccountSnapshot> WaitForRevisionAsync(string accountId, long revision, CancellationToken cancellationToken)
    {
        var slot = _accounts.GetOrAdd(accountId, id => new AccountSlot(id));
        // Bounded even for a call without a deadline: a revision that never comes must not hold it forever.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(MaxRevisionWait);
        while (true)
        {
            var next = slot.NextChange;
            if (slot.Current is { } current && current.Revision >= revision)
            {
                return current;
            }

            try
            {
                await next.WaitAsync(bounded.Token);
            }
            catch (OperationCanceledException)
            {
                throw new UnavailableException(
                    $"account {accountId} has not reached revision {revision} on this replica (at {slot.Current?.Revision ?? 0}) within the deadline");
            }
        }
    }
}
