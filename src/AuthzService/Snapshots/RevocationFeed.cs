using System.Collections.Concurrent;
using System.Threading.Channels;
using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>
/// After each snapshot swap, the users of the account whose rights may have shrunk (a patch's own list, or the diff
/// of a full build against the snapshot before), kept for replay and pushed to every WatchRevocations stream of the
/// account. The history in memory starts when this replica first saw the account; a watcher resuming from before
/// that is replayed from the change log (<see cref="RevocationLogReplay"/>).
/// </summary>
internal sealed class RevocationFeed : ISnapshotObserver
{
    public const int RetainedEvents = 1024;

    private readonly ConcurrentDictionary<string, AccountHistory> _accounts = new(StringComparer.Ordinal);

    /// <summary>
    /// Null when the account is unknown to this replica. At most <paramref name="buffer"/> live events wait for the
    /// reader; one more ends the subscription (<see cref="Subscription.Overflowed"/>). The subscription is registered
    /// before its backlog's end is taken, so the live events follow the backlog without a gap.
    /// </summary>
    public Subscription? Subscribe(string accountId, long afterRevision, int buffer)
    {
        if (!_accounts.TryGetValue(accountId, out var history))
        {
            return null;
        }

        lock (history)
        {
            var backlog = new List<Revocation>();
            AccountSnapshot? replayUpTo = null;
            if (afterRevision > 0 && afterRevision < history.Current.Revision)
            {
                if (afterRevision >= history.CompleteAfter)
                {
                    backlog.AddRange(history.Events.Where(e => e.Revision > afterRevision));
                }
                else if (history.Replaced)
                {
                    // A revision of the history the store no longer has: its log cannot tell what differs.
                    backlog.Add(Everyone(history.Current));
                }
                else
                {
                    // Older than this replica's history: the change log tells the rest, up to the snapshot of now.
                    replayUpTo = history.Current;
                }
            }

            // From now on when no revision is given: the watcher is told which, so it can resume from there.
            var subscription = new Subscription(
                history, backlog, replayUpTo, buffer, afterRevision > 0 ? afterRevision : history.Current.Revision);
            history.Subscribers.Add(subscription);
            return subscription;
        }
    }

    public void Swapped(AccountSnapshot snapshot, string[]? revokedUsers)
    {
        var history = _accounts.GetOrAdd(snapshot.AccountId, _ => new AccountHistory(snapshot));
        lock (history)
        {
            // Swaps can be reported out of order: diff against the newest seen, so nothing between is skipped.
            if (snapshot.Revision <= history.Current.Revision)
            {
                return;
            }

            // A patch's own list only when it follows the newest seen: after a gap, the diff covers what was skipped.
            var users = revokedUsers is not null && snapshot.Revision == history.Current.Revision + 1
                ? revokedUsers
                : RevocationDiff.UsersWhoseRightsMayHaveShrunk(history.Current, snapshot);
            history.Current = snapshot;
            if (users.Length == 0)
            {
                return;
            }

            var revocation = new Revocation(snapshot.AccountId, snapshot.Revision, users);
            history.Events.Add(revocation);
            if (history.Events.Count > RetainedEvents)
            {
                history.CompleteAfter = history.Events[0].Revision;
                history.Events.RemoveAt(0);
            }

            // A subscriber whose buffer is full is dropped here, so a stalled reader holds no more than its buffer.
            history.Subscribers.RemoveAll(subscriber => !subscriber.Offer(revocation));
        }
    }

    public void Replaced(AccountSnapshot snapshot)
    {
        var history = _accounts.GetOrAdd(snapshot.AccountId, _ => new AccountHistory(snapshot));
        lock (history)
        {
            // Another history: no diff against the old one means anything, and its revisions are not this one's.
            history.Current = snapshot;
            history.Replaced = true;
            history.Events.Clear();
            history.CompleteAfter = snapshot.Revision;
            var revocation = Everyone(snapshot);
            history.Subscribers.RemoveAll(subscriber => !subscriber.Offer(revocation));
        }
    }

    /// <summary>
    /// The account was evicted: its history goes with it (the snapshot it holds is what eviction frees), unless a
    /// watcher reads it (a watch holds its account, so that does not happen). A watcher resuming after a later load
    /// is replayed from the change log.
    /// </summary>
    public void Evicted(string accountId)
    {
        if (_accounts.TryGetValue(accountId, out var history))
        {
            lock (history)
            {
                if (history.Subscribers.Count == 0)
                {
                    _accounts.TryRemove(new KeyValuePair<string, AccountHistory>(accountId, history));
                }
            }
        }
    }

    /// <summary>Every user of the account at the snapshot's revision: what a watcher is told when the history is unknown.</summary>
    internal static Revocation Everyone(AccountSnapshot snapshot)
    {
        // Disabled users too: one disabled in the unknown gap still has sessions to cut.
        return new Revocation(snapshot.AccountId, snapshot.Revision, [.. snapshot.Users.Keys.Order(StringComparer.Ordinal)], AllUsers: true);
    }

    internal sealed class AccountHistory(AccountSnapshot first)
    {
        /// <summary>Every revocation after this revision is in <see cref="Events"/>.</summary>
        public long CompleteAfter { get; set; } = first.Revision;

        public AccountSnapshot Current { get; set; } = first;

        /// <summary>This replica swapped in another history: a revision before it may be one of the old history.</summary>
        public bool Replaced { get; set; }

        public List<Revocation> Events { get; } = [];

        public List<Subscription> Subscribers { get; } = [];
    }

    /// <summary>
    /// One watcher: the events it missed, then the live ones, at most a buffer's worth waiting. Dispose to stop
    /// receiving.
    /// </summary>
    internal sealed class Subscription : IDisposable
    {
        private readonly AccountHistory _history;
        private readonly Channel<Revocation> _live;
        private volatile bool _overflowed;

        internal Subscription(AccountHistory history, IReadOnlyList<Revocation> backlog, AccountSnapshot? replayUpTo, int buffer, long after)
        {
            _history = history;
            Backlog = backlog;
            ReplayUpTo = replayUpTo;
            After = after;
            _live = Channel.CreateBounded<Revocation>(new BoundedChannelOptions(buffer) { SingleReader = true });
        }

        /// <summary>Every revocation after this revision is delivered (the backlog or the replay, then the live events).</summary>
        public long After { get; }

        /// <summary>The missed revocations this replica holds in memory (empty when <see cref="ReplayUpTo"/> is set).</summary>
        public IReadOnlyList<Revocation> Backlog { get; }

        /// <summary>
        /// Set when <see cref="After"/> is older than this replica's history: the revocations after it up to this
        /// snapshot are read from the change log; the live events follow from there.
        /// </summary>
        public AccountSnapshot? ReplayUpTo { get; }

        /// <summary>Ends (without an error) after the subscription overflowed or was disposed.</summary>
        public ChannelReader<Revocation> Live => _live.Reader;

        /// <summary>An event found the buffer full: the reader is too slow and no longer receives events.</summary>
        public bool Overflowed => _overflowed;

        /// <summary>False when the buffer is full; the subscription is then over. Called under the history's lock.</summary>
        internal bool Offer(Revocation revocation)
        {
            if (_live.Writer.TryWrite(revocation))
            {
                return true;
            }

            _overflowed = true;
            _live.Writer.TryComplete();
            return false;
        }

        public void Dispose()
        {
            lock (_history)
            {
                _history.Subscribers.Remove(this);
            }

            _live.Writer.TryComplete();
        }
    }
}
