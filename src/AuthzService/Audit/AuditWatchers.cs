using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.Audit;

/// <summary>
/// Follows the audit log for WatchAuditEvents: reads the events after an id from the store in commit order (id order,
/// see <see cref="IAuthzStore.ReadAuditEventsAfterAsync"/>), a few segments at a time, then waits for the next commit
/// of this replica (<see cref="AuditCommitSignal"/>) or the poll interval (the commits of replicas sharing the
/// store), and reads again. At least once: a stream resumed from the last id it delivered repeats nothing and misses
/// nothing still stored; retention past that id ends it FAILED_PRECONDITION. Each stream holds at most one read
/// (<see cref="SegmentsPerRead"/> segments) in memory, and a caller at most <see cref="AuditOptions.MaxWatchStreamsPerCaller"/> streams.
/// </summary>
internal sealed class AuditWatchers(IAuthzStore store, AuditCommitSignal commits, IOptions<AuditOptions> options, TimeProvider timeProvider)
{
    /// <summary>At most this many segments (of at most 1,000 events each) are read and held per stream at a time.</summary>
    public const int SegmentsPerRead = 4;

    private readonly Dictionary<string, int> _perCaller = new(StringComparer.Ordinal);
    private readonly HashSet<AuditWatcher> _open = [];

    /// <summary>The open streams and how far each is behind, in seconds: the age of its oldest read-but-unsent event.</summary>
    public IReadOnlyList<(AuditWatcher Watcher, double LagSeconds)> Lags()
    {
        AuditWatcher[] open;
        lock (_open)
        {
            open = [.. _open];
        }

        var now = timeProvider.GetUtcNow();
        return [.. open.Select(w => (w, w.PendingSince is { } since ? Math.Max(0, (now - since).TotalSeconds) : 0))];
    }

    /// <summary>A place for a new stream of <paramref name="caller"/>; null when it holds the most allowed.</summary>
    public AuditWatcher? Enter(string caller, string accountId)
    {
        lock (_open)
        {
            var held = _perCaller.GetValueOrDefault(caller);
            if (held >= options.Value.MaxWatchStreamsPerCaller)
            {
                return null;
            }

            _perCaller[caller] = held + 1;
            var watcher = new AuditWatcher(this, caller, accountId);
            _open.Add(watcher);
            return watcher;
        }
    }

    internal void Leave(AuditWatcher watcher)
    {
        lock (_open)
        {
            if (_open.Remove(watcher))
            {
                var held = _perCaller[watcher.Caller] - 1;
                if (held == 0)
                {
                    _perCaller.Remove(watcher.Caller);
                }
                else
                {
                    _perCaller[watcher.Caller] = held;
                }
            }
        }
    }

    /// <summary>The events after <paramref name="afterEventId"/>, then each as it commits, until cancelled.</summary>
    /// <exception cref="PreconditionFailedException">Retention deleted events after the last one delivered, or the store never issued that id.</exception>
    public async IAsyncEnumerable<AuditRecord> FollowAsync(AuditWatcher watcher, long afterEventId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var after = afterEventId;
        var poll = options.Value.WatchPollInterval;
        while (true)
        {
            var committed = commits.Next;
            var tail = await store.ReadAuditEventsAfterAsync(watcher.AccountId, after, SegmentsPerRead, cancellationToken);
            if (after > tail.LastIssued)
            {
                // An id this store never issued (another store's, or a store restored from an older copy): following
                // from it would silently skip every event until ids pass it.
                throw new PreconditionFailedException(
                    $"after_event_id {after} is beyond the last audit event id this store issued ({tail.LastIssued}): "
                    + "an id of another store, or of this one before it was restored; follow from an id it holds");
            }

            if (tail.Purged)
            {
                throw new PreconditionFailedException(
                    $"audit events after {after} were deleted by retention, so this stream could not be complete: "
                    + $"read what is left with ListAuditEvents, or follow from now with after_event_id {tail.LastIssued}");
            }

            foreach (var record in tail.Events)
            {
                watcher.PendingSince = record.Time;
                yield return record;
                after = record.EventId;
            }

            if (tail.More)
            {
                continue;
            }

            // Everything up to the last id handed out has been read: an account's stream skips the others' ids, so a
            // later purge of those alone is not taken for a hole in it.
            after = Math.Max(after, tail.LastIssued);
            watcher.PendingSince = null;
            using (var polling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                // The poll's timer goes with the wait: a stream woken by every commit keeps no timers behind it.
                await Task.WhenAny(committed, Task.Delay(poll, timeProvider, polling.Token));
                await polling.CancelAsync();
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
