using System.Collections.Concurrent;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.Caching;

/// <summary>
/// The process's live snapshots, one per account, and the platform-wide directory user → account (a check
/// names the user alone). Lookups are lock-free; the snapshot stays authoritative, so a stale directory
/// entry can only lead to "user not found", never to a grant.
/// </summary>
internal sealed class SnapshotRegistry
{
    private readonly ConcurrentDictionary<string, AccountSlot> _accounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AccountSlot> _userAccounts = new(StringComparer.Ordinal);

    /// <summary>Raised after a swap, with the previous snapshot (null for the first).</summary>
    public event Action<AccountSnapshot?, AccountSnapshot>? Swapped;

    public IEnumerable<AccountSnapshot> Snapshots =>
        _accounts.Values.Select(slot => slot.Current).OfType<AccountSnapshot>();

    public AccountSnapshot? Get(string accountId) =>
        _accounts.TryGetValue(accountId, out var slot) ? slot.Current : null;

    /// <summary>The snapshot of the user's account and the user in it; false when no account knows the user.</summary>
    public bool TryFindUser(string userId, out AccountSnapshot snapshot, out UserEntry user)
    {
        if (_userAccounts.TryGetValue(userId, out var slot) && slot.Current is { } current
            && current.Users.TryGetValue(userId, out var entry))
        {
            snapshot = current;
            user = entry;
            return true;
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

        foreach (var userId in snapshot.Users.Keys)
        {
            if (!_userAccounts.TryGetValue(userId, out var known) || known != slot)
            {
                _userAccounts[userId] = slot;
            }
        }

        if (previous is not null)
        {
            foreach (var userId in previous.Users.Keys)
            {
                if (!snapshot.Users.ContainsKey(userId))
                {
                    _userAccounts.TryRemove(new KeyValuePair<string, AccountSlot>(userId, slot));
                }
            }
        }

        Swapped?.Invoke(previous, snapshot);
        return true;
    }

    /// <summary>
    /// The account's snapshot at <paramref name="revision"/> or later; waits for it until cancelled
    /// (the call's deadline), then fails with UNAVAILABLE so the caller may retry elsewhere.
    /// </summary>
    public async ValueTask<AccountSnapshot> WaitForRevisionAsync(string accountId, long revision, CancellationToken cancellationToken)
    {
        var slot = _accounts.GetOrAdd(accountId, id => new AccountSlot(id));
        while (true)
        {
            var next = slot.NextChange;
            if (slot.Current is { } current && current.Revision >= revision)
            {
                return current;
            }

            try
            {
                await next.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new UnavailableException(
                    $"account {accountId} has not reached revision {revision} on this replica (at {slot.Current?.Revision ?? 0}) within the deadline");
            }
        }
    }
}
