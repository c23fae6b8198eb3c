using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>Told of every snapshot swapped in, from the first one on (observers are created with the registry).</summary>
internal interface ISnapshotObserver
{
    /// <summary>
    /// Called after the swap; calls for one account may arrive out of revision order. <paramref name="revokedUsers"/>:
    /// the users whose rights the swap may have shrunk when it was a patch of the snapshot at revision - 1 (sorted,
    /// ordinal); null for a full build, whose observers compare it with what they saw before.
    /// </summary>
    void Swapped(AccountSnapshot snapshot, string[]? revokedUsers);

    /// <summary>
    /// Called after <paramref name="snapshot"/> replaced one of another history (the store was restored from an
    /// older copy): its revision may be lower than the one it replaced, and any user's rights may differ.
    /// </summary>
    void Replaced(AccountSnapshot snapshot);

    /// <summary>Called after the account's snapshot was evicted (accounts on demand): forget what is kept of it.</summary>
    void Evicted(string accountId)
    {
    }
}
