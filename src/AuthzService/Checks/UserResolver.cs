using Qbee.Authz.Service.Caching;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Hosting;

namespace Qbee.Authz.Service.Checks;

/// <summary>Finds a user's account snapshot, waiting for <c>min_revision</c> when the replica is behind.</summary>
internal sealed class UserResolver(SnapshotRegistry registry, Readiness readiness)
{
    /// <summary>Revisions travel as uint64 and are stored as int64: anything above is simply never reached.</summary>
    public static long ToRevision(ulong revision) => (long)Math.Min(revision, long.MaxValue);

    /// <summary>Synchronous when no wait is needed (the hot path); null snapshot: no such user.</summary>
    public ValueTask<(AccountSnapshot? Snapshot, UserEntry? User)> ResolveAsync(string userId, long minRevision, CancellationToken cancellationToken)
    {
        if (!readiness.IsReady)
        {
            // Before the snapshots are loaded every user would look unknown: say "not yet" instead.
            throw new UnavailableException("the service is starting: snapshots are not loaded yet");
        }

        if (!registry.TryFindUser(userId, out var snapshot, out var user))
        {
            return new((null, null));
        }

        if (snapshot.Revision >= minRevision)
        {
            return new((snapshot, user));
        }

        return WaitAsync(snapshot.AccountId, userId, minRevision, cancellationToken);
    }

    private async ValueTask<(AccountSnapshot?, UserEntry?)> WaitAsync(string accountId, string userId, long minRevision, CancellationToken cancellationToken)
    {
        var snapshot = await registry.WaitForRevisionAsync(accountId, minRevision, cancellationToken).ConfigureAwait(false);
        // The user may have been deleted by the revision waited for: answer from that snapshot.
        return snapshot.Users.TryGetValue(userId, out var user) ? (snapshot, user) : (snapshot, null);
    }
}
