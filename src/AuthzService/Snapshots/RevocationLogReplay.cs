using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>
/// The revocations of an account after a revision older than this replica's history (a watcher resuming after a
/// restart, or from another replica), read from the SQL change log: one per revision that may have shrunk someone's
/// rights, in revision order, each naming the users its change set may have touched, told against the snapshot the
/// replay ends at. Every user at once (all_users) only when the log no longer holds the revisions asked for, or
/// holds another history than the snapshot's.
/// </summary>
internal sealed class RevocationLogReplay(IAuthzStore store)
{
    /// <summary>Change sets read per query: bounds the memory one read holds.</summary>
    public const int PageSize = 512;

    /// <param name="afterRevision">The watcher has every revocation up to this revision.</param>
    /// <param name="upTo">This replica's snapshot when the watcher subscribed: its live events follow from there.</param>
    public async Task<Replay> ReadAsync(long afterRevision, AccountSnapshot upTo, CancellationToken cancellationToken)
    {
        var events = new List<Revocation>();
        var after = afterRevision;
        while (after < upTo.Revision)
        {
            var page = await store.ReadChangeSetsAsync(upTo.AccountId, after, PageSize, cancellationToken);
            if (page is null || !page.Covered || page.ChangeSets.Count == 0)
            {
                // Purged past its retention (or the log ends before the snapshot: another history).
                return new Replay([RevocationFeed.Everyone(upTo)], Covered: false);
            }

            foreach (var changes in page.ChangeSets)
            {
                if (after == upTo.Revision)
                {
                    break;
                }

                // A gap, or a change set of another history than the snapshot's: what happened is unknown.
                if (changes.Revision != after + 1 || (changes.Revision == upTo.Revision && changes.Version != upTo.Version))
                {
                    return new Replay([RevocationFeed.Everyone(upTo)], Covered: false);
                }

                var users = ChangeSetRevocations.UsersWhoseRightsMayHaveShrunk(changes, upTo);
                if (users.Length > 0)
                {
                    events.Add(new Revocation(upTo.AccountId, changes.Revision, users));
                }

                after = changes.Revision;
            }
        }

        return new Replay(events, Covered: true);
    }

    /// <summary>The replayed revocations; <paramref name="Covered"/> false when they are one all_users event.</summary>
    internal sealed record Replay(IReadOnlyList<Revocation> Events, bool Covered);
}
