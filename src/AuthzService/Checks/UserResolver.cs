using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.Checks;

/// <summary>Finds a user's account snapshot, waiting for <c>min_revision</c> when the replica is behind.</summary>
internal sealed class UserResolver(
    SnapshotRegistry registry, Readiness readiness, IAuthzStore store, AccountLoader? loader = null, UserAccountIndex? index = null)
{
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
            if (loader is { OnDemand: true })
            {
                return ResolveColdAsync(userId, minRevision, cancellationToken);
            }

            return minRevision > 0 ? ResolveUnknownUserAsync(userId, minRevision, cancellationToken) : new((null, null));
        }

        if (snapshot.Revision >= minRevision)
        {
            return new((snapshot, user));
        }

        return WaitAsync(snapshot.AccountId, userId, minRevision, cancellationToken);
    }

    /// <summary>
    /// A user this replica does not know, asked at a revision: perhaps created by a write it has not received
    /// yet. The store tells the user's account; then wait for that account like any other.
    /// </summary>
    private async ValueTask<(AccountSnapshot?, UserEntry?)> ResolveUnknownUserAsync(string userId, long minRevision, CancellationToken cancellationToken)
    {
        var accountId = await FindAccountInStoreAsync(userId, cancellationToken);
        return accountId is null ? (null, null) : await WaitAsync(accountId, userId, minRevision, cancellationToken);
    }

    private async ValueTask<string?> FindAccountInStoreAsync(string userId, CancellationToken cancellationToken)
    {
        try
        {
            return await store.FindUserAccountIdAsync(userId, cancellationToken);
        }
        catch (Exception e) when (StoreFaults.IsStoreFailure(e))
        {
            throw new UnavailableException($"user {userId} is not in this replica's snapshots and the store cannot be asked for its account");
        }
    }

    /// <summary>
    /// Accounts on demand, a user no account held has: the user index names the account (the store when the index
    /// cannot tell, or at a revision the index may not know yet), which is loaded now when cold, then answered like any
    /// other, its snapshot the judge.
    /// </summary>
    private async ValueTask<(AccountSnapshot?, UserEntry?)> ResolveColdAsync(string userId, long minRevision, CancellationToken cancellationToken)
    {
        var known = index!.TryFind(userId, out var accountId);
        // At a revision the index may not have seen yet (a user created or moved by it): the store says where it is.
        if (minRevision > 0 || (accountId is null && known))
        {
            accountId = await FindAccountInStoreAsync(userId, cancellationToken);
        }

        if (accountId is null)
        {
            return (null, null);
        }

        if (minRevision > 0)
        {
            return await WaitAsync(accountId, userId, minRevision, cancellationToken);
        }

        var snapshot = await loader!.GetAsync(accountId, cancellationToken);
        return snapshot is null ? (null, null) : (snapshot, snapshot.Users.GetValueOrDefault(userId));
    }

    private async ValueTask<(AccountSnapshot?, UserEntry?)> WaitAsync(string accountId, string userId, long minRevision, CancellationToken cancellationToken)
    {
        if (loader is { OnDemand: true })
        {
            // Held (not evicted) while it waits, and loaded first when cold: an account evicted just before the
            // wait began would otherwise follow nothing but the user index until the deadline.
            using var hold = await loader.HoldAsync(accountId, cancellationToken);
            if (hold is null)
            {
                return (null, null);
            }

            return await WaitInSnapshotAsync(accountId, userId, minRevision, cancellationToken);
        }

        return await WaitInSnapshotAsync(accountId, userId, minRevision, cancellationToken);
    }

    private async ValueTask<(AccountSnapshot?, UserEntry?)> WaitInSnapshotAsync(string accountId, string userId, long minRevision, CancellationToken cancellationToken)
    {
        var snapshot = await registry.WaitForRevisionAsync(accountId, minRevision, cancellationToken);
        // The user may have been deleted by the revision waited for: answer from that snapshot.
        return snapshot.Users.TryGetValue(userId, out var user) ? (snapshot, user) : (snapshot, null);
    }
}
