using Microsoft.Extensions.Options;
using System.Collections.Concurrent;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>
/// The process's live snapshots, one per account, and the platform-wide directory user → account (a check
/// names the user alone). Lookups are lock-free; the snapshot stays authoritative, so a stale directory
/// entry can only lead to "user not found", never to a grant. A swap writes the directory only for the users whose
/// entries it replaced: a patch's changed users, none for a fleet write.
/// </summary>
internal sealed class SnapshotRegistry(IEnumerable<ISnapshotObserver> observers, IOptions<SnapshotOptions>? options = null)
{
    private readonly ConcurrentDictionary<string, AccountSlot> _accounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, UserRef> _users = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<AccountSlot, AccountDirectory> _directories = new();
    private readonly ConcurrentDictionary<string, AccountSlot> _deviceHints = new(StringComparer.Ordinal);
    private readonly ISnapshotObserver[] _observers = [.. observers];
    // Only accounts on demand are evicted, so only they stamp use: with Preload=All the hot path writes nothing.
    private readonly bool _tracksUse = options is { Value.OnDemand: true };
    private long _directoryWrites;

    /// <summary>The longest a min_revision wait lasts, whatever the caller's deadline.</summary>
    public static readonly TimeSpan MaxRevisionWait = TimeSpan.FromSeconds(30);

    public SnapshotRegistry()
        : this([])
    {
    }

    public IEnumerable<AccountSnapshot> Snapshots =>
        _accounts.Values.Select(slot => slot.Current).OfType<AccountSnapshot>();

    /// <summary>Users written to or removed from the directory so far: what a swap cost it (a test hook).</summary>
    internal long DirectoryWrites => Interlocked.Read(ref _directoryWrites);

    public AccountSnapshot? Get(string accountId) =>
        _accounts.TryGetValue(accountId, out var slot) ? slot.Current : null;

    /// <summary>Every account's slot, held or not (an evicted account keeps its slot: small, and never orphaned).</summary>
    internal IEnumerable<AccountSlot> Slots => _accounts.Values;

    /// <summary>The account's slot, made when missing: only for an account the store has (see AccountLoader).</summary>
    internal AccountSlot SlotOf(string accountId) => _accounts.GetOrAdd(accountId, id => new AccountSlot(id));

    /// <summary>The account's slot when this replica has held it or waited for it; null otherwise.</summary>
    internal AccountSlot? TryGetSlot(string accountId) => _accounts.GetValueOrDefault(accountId);

    /// <summary>
    /// Drops the account's snapshot and its users from the directory (eviction); the slot stays, empty, so a later
    /// load publishes into it. Not while a call holds the account: null then, as when nothing was held. A check that
    /// read the snapshot before answers from it whole; one after finds no user and loads the account again. The
    /// caller serialises this with the account's refreshes.
    /// </summary>
    public AccountSnapshot? Evict(string accountId)
    {
        if (!_accounts.TryGetValue(accountId, out var slot))
        {
            return null;
        }

        AccountSnapshot? evicted;
        lock (slot)
        {
            if (slot.InFlight > 0 || (evicted = slot.Evict()) is null)
            {
                return null;
            }

            if (slot.InFlight > 0)
            {
                // A call entered while the snapshot was dropped and may have seen it held: put it back.
                slot.TryPublish(evicted, out _);
                return null;
            }

            if (_directories.TryRemove(slot, out var directory) && directory.At is { } at)
            {
                foreach (var userId in at.Users.Keys)
                {
                    if (_users.TryGetValue(userId, out var known) && known.Slot == slot)
                    {
                        known.Replaced = true;
                        _users.TryRemove(new KeyValuePair<string, UserRef>(userId, known));
                        Interlocked.Increment(ref _directoryWrites);
                    }
                }
            }
        }

        foreach (var observer in _observers)
        {
            observer.Evicted(accountId);
        }

        return evicted;
    }

    /// <summary>The snapshot of the user's account and the user in it; false when no account knows the user.</summary>
    public bool TryFindUser(string userId, out AccountSnapshot snapshot, out UserEntry user)
    {
        if (_users.TryGetValue(userId, out var known))
        {
            // The users before the snapshot: read in this order, a patch's swap can never pair a replaced entry with
            // the snapshot that replaced it (see AccountDirectory).
            var users = known.Users.Current;
            if (known.Slot.Current is { } current)
            {
                // One hash lookup on the hot path: the entry is the user of the current snapshot's users.
                if (ReferenceEquals(current.Users, users) && !known.Replaced)
                {
                    if (_tracksUse)
                    {
                        known.Slot.Touch();
                    }

                    snapshot = current;
                    user = known.User;
                    return true;
                }

                if (current.Users.TryGetValue(userId, out var entry))
                {
                    if (_tracksUse)
                    {
                        known.Slot.Touch();
                    }

                    snapshot = current;
                    user = entry;
                    return true;
                }
            }
        }

        snapshot = null!;
        user = null!;
        return false;
    }

    /// <summary>Device ids remembered with their account, at most; then forgotten all at once (hints, not a directory).</summary>
    internal const int MaxDeviceHints = 65_536;

    /// <summary>
    /// The snapshot that holds a device (device ids are unique across the platform) and its node; false when no
    /// account of this replica has it. For ListDeviceUsers, never for checks: a remembered account is tried first and
    /// confirmed in its current snapshot, else every account is asked. So a swap writes nothing here, and a stale
    /// hint costs one lookup, never a wrong answer. While a device moves between accounts, two snapshots of this
    /// replica may both hold it for a moment: the remembered one answers.
    /// </summary>
    public bool TryFindDevice(string deviceId, out AccountSnapshot snapshot, out int node)
    {
        if (_deviceHints.TryGetValue(deviceId, out var hinted) && hinted.Current is { } current && current.TryGetDevice(deviceId, out node))
        {
            snapshot = current;
            return true;
        }

        foreach (var slot in _accounts.Values)
        {
            if (slot.Current is { } candidate && candidate.TryGetDevice(deviceId, out node))
            {
                if (_deviceHints.Count >= MaxDeviceHints)
                {
                    _deviceHints.Clear();
                }

                _deviceHints[deviceId] = slot;
                snapshot = candidate;
                return true;
            }
        }

        snapshot = null!;
        node = -1;
        return false;
    }

    /// <summary>Whether a check of the user takes the one-lookup path (a test hook).</summary>
    internal bool TakesTheFastPath(string userId) =>
        _users.TryGetValue(userId, out var known) && known.Slot.Current is { } current
        && ReferenceEquals(current.Users, known.Users.Current) && !known.Replaced;

    /// <summary>Swaps in a snapshot when it is newer than the current one of its account.</summary>
    public bool Publish(AccountSnapshot snapshot)
    {
        var slot = _accounts.GetOrAdd(snapshot.AccountId, id => new AccountSlot(id));
        if (!slot.TryPublish(snapshot, out var previous))
        {
            return false;
        }

        UpdateDirectory(slot, previous, snapshot);
        foreach (var observer in _observers)
        {
            // A full build: each observer compares it with what it saw before.
            observer.Swapped(snapshot, revokedUsers: null);
        }

        return true;
    }

    /// <summary>
    /// Swaps in a snapshot patched from the one before it when it is newer than the current one of its account. The
    /// directory changes only for the users whose entries the patch replaced; the observers are told whose rights
    /// may have shrunk instead of comparing snapshots.
    /// </summary>
    public bool Publish(PatchedSnapshot patched)
    {
        var snapshot = patched.Snapshot;
        var slot = _accounts.GetOrAdd(snapshot.AccountId, id => new AccountSlot(id));
        if (!slot.TryPublish(snapshot, out var previous))
        {
            return false;
        }

        UpdateDirectory(slot, previous, snapshot);

        // Patched from the snapshot it replaced: the patch's users are this revision's revocations. Otherwise a
        // swap in between was not published (or came late): the observers diff against what they saw.
        var revokedUsers = previous?.Revision == snapshot.Revision - 1 ? patched.UsersWhoseRightsMayHaveShrunk : null;
        foreach (var observer in _observers)
        {
            observer.Swapped(snapshot, revokedUsers);
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
        UpdateDirectory(slot, previous, snapshot);
        foreach (var observer in _observers)
        {
            observer.Replaced(snapshot);
        }
    }

    /// <summary>
    /// Brings the account's part of the directory from <paramref name="previous"/> to <paramref name="snapshot"/>:
    /// nothing when they share their users (a patch that touched none: the frequent fleet write), else one write per
    /// user whose entry is another instance or gone (a patch's changed users; every user after a full build). The
    /// entries are compared by instance, not taken from the patch's word: an entry left pointing at a snapshot it is
    /// not part of could be checked against indexes it was not compiled for.
    /// </summary>
    private void UpdateDirectory(AccountSlot slot, AccountSnapshot? previous, AccountSnapshot snapshot)
    {
        // Serialised per account so that two swaps in a row leave the directory at the newer one.
        lock (slot)
        {
            if (!ReferenceEquals(slot.Current, snapshot))
            {
                return;
            }

            var directory = _directories.GetOrAdd(slot, _ => new AccountDirectory());
            if (previous is null || !ReferenceEquals(directory.At, previous) || directory.Users is not { } users)
            {
                // The directory shows another snapshot than the one replaced (a swap in between lost the race for
                // the lock): start its users afresh.
                Rewrite(slot, directory, snapshot);
                return;
            }

            if (!ReferenceEquals(previous.Users, snapshot.Users))
            {
                MoveForward(slot, users, previous, snapshot);
            }

            directory.At = snapshot;
        }
    }

    private void Rewrite(AccountSlot slot, AccountDirectory directory, AccountSnapshot snapshot)
    {
        var gone = directory.At?.Users.Keys.Where(userId => !snapshot.Users.ContainsKey(userId)).ToList() ?? [];

        // A fresh users version: the entries of before stay valid only for the users before.
        var users = new UsersVersion(snapshot.Users);
        foreach (var (userId, entry) in snapshot.Users)
        {
            Point(userId, new UserRef(slot, users, entry));
        }

        foreach (var userId in gone)
        {
            Forget(slot, userId);
        }

        directory.At = snapshot;
        directory.Users = users;
    }

    private void MoveForward(AccountSlot slot, UsersVersion users, AccountSnapshot previous, AccountSnapshot snapshot)
    {
        var replaced = new List<KeyValuePair<string, UserEntry>>();
        foreach (var (userId, entry) in snapshot.Users)
        {
            if (!previous.Users.TryGetValue(userId, out var before) || !ReferenceEquals(before, entry))
            {
                replaced.Add(new(userId, entry));
            }
        }

        var gone = previous.Users.Keys.Where(userId => !snapshot.Users.ContainsKey(userId)).ToList();

        // Mark the entries of before replaced, then move the users forward: a reader that sees the new users sees
        // the marks (volatile writes, in this order), so it never pairs an entry of before with the new snapshot.
        // Every other entry is the same instance in the new users: it stays on the one-lookup path, unwritten.
        foreach (var userId in replaced.Select(r => r.Key).Concat(gone))
        {
            if (_users.TryGetValue(userId, out var known) && known.Slot == slot)
            {
                known.Replaced = true;
            }
        }

        users.Current = snapshot.Users;
        foreach (var (userId, entry) in replaced)
        {
            Point(userId, new UserRef(slot, users, entry));
        }

        foreach (var userId in gone)
        {
            Forget(slot, userId);
        }
    }

    private void Point(string userId, UserRef user)
    {
        // Compare-and-swap, so that the entry replaced is the one marked, even with two accounts writing one user.
        while (true)
        {
            if (_users.TryGetValue(userId, out var known))
            {
                known.Replaced = true;
                if (_users.TryUpdate(userId, user, known))
                {
                    break;
                }
            }
            else if (_users.TryAdd(userId, user))
            {
                break;
            }
        }

        Interlocked.Increment(ref _directoryWrites);
    }

    private void Forget(AccountSlot slot, string userId)
    {
        if (_users.TryGetValue(userId, out var known) && known.Slot == slot)
        {
            known.Replaced = true;
            _users.TryRemove(new KeyValuePair<string, UserRef>(userId, known));
            Interlocked.Increment(ref _directoryWrites);
            RepointMovedUser(userId);
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
                // Users of its own that never move forward: valid exactly while that snapshot's users are current.
                _users.TryAdd(userId, new UserRef(other, new UsersVersion(current.Users), entry));
                return;
            }
        }
    }

    /// <summary>
    /// The users map an account's directory entries were taken from. A swap that replaced some entries moves it to
    /// the new snapshot's users after marking those entries replaced: every other entry is the same instance there,
    /// so it stays on the one-lookup path without being rewritten.
    /// </summary>
    private sealed class UsersVersion(IReadOnlyDictionary<string, UserEntry> users)
    {
        private IReadOnlyDictionary<string, UserEntry> _current = users;

        public IReadOnlyDictionary<string, UserEntry> Current
        {
            get => Volatile.Read(ref _current);
            set => Volatile.Write(ref _current, value);
        }
    }

    /// <summary>A user's account, and the user as the users of <see cref="Users"/> hold it until replaced.</summary>
    private sealed class UserRef(AccountSlot slot, UsersVersion users, UserEntry user)
    {
        private volatile bool _replaced;

        public AccountSlot Slot { get; } = slot;

        public UsersVersion Users { get; } = users;

        public UserEntry User { get; } = user;

        /// <summary>Set before the users move past this entry; never cleared.</summary>
        public bool Replaced
        {
            get => _replaced;
            set => _replaced = value;
        }
    }

    /// <summary>Which snapshot an account's part of the directory shows, and its users version. Under the slot's lock.</summary>
    private sealed class AccountDirectory
    {
        public AccountSnapshot? At { get; set; }

        public UsersVersion? Users { get; set; }
    }

    /// <summary>
    /// The account's snapshot at <paramref name="revision"/> or later; waits for it until cancelled
    /// (the call's deadline), then fails with UNAVAILABLE so the caller may retry elsewhere. Only for an account the
    /// store has (held, or named by the store or a hold): its slot is made here when missing.
    /// </summary>
    public async ValueTask<AccountSnapshot> WaitForRevisionAsync(string accountId, long revision, CancellationToken cancellationToken)
    {
        var slot = _accounts.GetOrAdd(accountId, id => new AccountSlot(id));
        // Bounded even for a call without a deadline: a revision that never comes must not hold it forever.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(MaxRevisionWait);
        slot.Enter(); // not evicted while waited for
        try
        {
            return await WaitAsync(slot, accountId, revision, bounded.Token);
        }
        finally
        {
            slot.Exit();
        }
    }

    private static async ValueTask<AccountSnapshot> WaitAsync(AccountSlot slot, string accountId, long revision, CancellationToken bounded)
    {
        while (true)
        {
            var next = slot.NextChange;
            if (slot.Current is { } current && current.Revision >= revision)
            {
                return current;
            }

            try
            {
                await next.WaitAsync(bounded);
            }
            catch (OperationCanceledException)
            {
                throw new UnavailableException(
                    $"account {accountId} has not reached revision {revision} on this replica (at {slot.Current?.Revision ?? 0}) within the deadline");
            }
        }
    }
}
