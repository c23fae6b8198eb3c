using System.Diagnostics;
using System.Security.Cryptography;
using Qbee.Authz.Service.Domain.Changes;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>
/// Which account each user of the platform is in, without holding the accounts (Authz:Snapshots:Preload other than
/// All): read once at start (one query), kept current by the change sets of the accounts not held (a change message
/// or the poll) and, for an account held, from its snapshot when it is evicted. Small: a 64-bit hash of the user id
/// to an account ordinal, about 30 bytes a user. A hint, never a grant: the account's snapshot answers, so a stale
/// or colliding entry can only cost a load or a store read (two users with one hash are marked ambiguous: the store
/// is asked). Read only on a miss of the registry's directory, never on the hot path; a lock is fine here.
/// </summary>
internal sealed class UserAccountIndex(IAuthzStore store, ILogger<UserAccountIndex> logger)
{
    private const int Ambiguous = -1;

    // Per process: ids chosen to collide cannot be lined up in advance (a collision costs a store read anyway).
    private static readonly ulong Seed = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) | 1;

    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, int> _users = [];
    private readonly List<string> _accounts = [];
    private readonly Dictionary<string, int> _ordinals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _revisions = new(StringComparer.Ordinal);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _users.Count;
            }
        }
    }

    /// <summary>Start-up: the store's accounts and then every user's account, one read each.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var accounts = await store.ListAccountsAsync(cancellationToken);
        var users = 0;
        lock (_lock)
        {
            foreach (var account in accounts)
            {
                _revisions[account.AccountId] = account.Revision;
            }
        }

        // Read after the versions: a user written meanwhile is here too, and its change set is applied again later.
        await store.ForEachUserAccountAsync(
            (userId, accountId) =>
            {
                lock (_lock)
                {
                    Set(userId, accountId);
                }

                users++;
            },
            cancellationToken);
        SnapshotsLog.UserIndexLoaded(logger, users, accounts.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>The user's account: true with the id; true with null when two users share the hash (ask the store); false when unknown.</summary>
    public bool TryFind(string userId, out string? accountId)
    {
        lock (_lock)
        {
            if (_users.TryGetValue(Hash(userId), out var ordinal))
            {
                accountId = ordinal == Ambiguous ? null : _accounts[ordinal];
                return true;
            }
        }

        accountId = null;
        return false;
    }

    /// <summary>The revision the index shows an account at; 0 when it knows nothing of it.</summary>
    public long RevisionOf(string accountId)
    {
        lock (_lock)
        {
            return _revisions.GetValueOrDefault(accountId);
        }
    }

    /// <summary>
    /// An account not held was written: its change sets after the revision the index shows, from the store's log. When the
    /// log no longer holds them (purged), the account's users are read instead.
    /// </summary>
    public async Task CatchUpAsync(string accountId, long revision, CancellationToken cancellationToken)
    {
        var after = RevisionOf(accountId);
        while (after < revision)
        {
            var page = await store.ReadChangeSetsAsync(accountId, after, SnapshotRefresher.MaxChain, cancellationToken);
            if (page is null)
            {
                return; // deleted meanwhile
            }

            if (!page.Covered)
            {
                await ReloadUsersAsync(accountId, cancellationToken);
                return;
            }

            if (page.ChangeSets.Count == 0)
            {
                return;
            }

            lock (_lock)
            {
                foreach (var changeSet in page.ChangeSets)
                {
                    Apply(changeSet);
                }
            }

            after = page.ChangeSets[^1].Revision;
        }
    }

    /// <summary>An account held is evicted: its users as its snapshot has them (the directory answered for them until now).</summary>
    public void Reflect(AccountSnapshot snapshot)
    {
        lock (_lock)
        {
            foreach (var userId in snapshot.Users.Keys)
            {
                Set(userId, snapshot.AccountId);
            }

            _revisions[snapshot.AccountId] = Math.Max(_revisions.GetValueOrDefault(snapshot.AccountId), snapshot.Revision);
        }
    }

    private async Task ReloadUsersAsync(string accountId, CancellationToken cancellationToken)
    {
        if (await store.ListUsersAsync(accountId, cancellationToken) is not { } listed)
        {
            return;
        }

        lock (_lock)
        {
            foreach (var user in listed.Users)
            {
                Set(user.UserId, accountId);
            }

            // Users deleted meanwhile stay as hints: their account answers "not found".
            _revisions[accountId] = Math.Max(_revisions.GetValueOrDefault(accountId), listed.Revision);
        }
    }

    private void Apply(ChangeSet changeSet)
    {
        foreach (var change in changeSet.Changes)
        {
            switch (change)
            {
                case UserPut put:
                    Set(put.User.UserId, changeSet.AccountId);
                    break;
                case UserDeleted deleted:
                    Remove(deleted.UserId, changeSet.AccountId);
                    break;
            }
        }

        _revisions[changeSet.AccountId] = Math.Max(_revisions.GetValueOrDefault(changeSet.AccountId), changeSet.Revision);
    }

    private void Set(string userId, string accountId)
    {
        var ordinal = Ordinal(accountId);
        var hash = Hash(userId);
        if (_users.TryGetValue(hash, out var known) && known != ordinal)
        {
            // Another user with this hash, or this user moved: either way the store tells which.
            _users[hash] = Ambiguous;
            return;
        }

        _users[hash] = ordinal;
    }

    private void Remove(string userId, string accountId)
    {
        var hash = Hash(userId);
        if (_users.TryGetValue(hash, out var known) && known == Ordinal(accountId))
        {
            _users.Remove(hash);
        }
    }

    private int Ordinal(string accountId)
    {
        if (!_ordinals.TryGetValue(accountId, out var ordinal))
        {
            ordinal = _accounts.Count;
            _accounts.Add(accountId);
            _ordinals.Add(accountId, ordinal);
        }

        return ordinal;
    }

    // FNV-1a over the UTF-16 code units, seeded, with a final mix.
    private static ulong Hash(string userId)
    {
        var hash = 14695981039346656037UL ^ Seed;
        foreach (var c in userId)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        return hash ^ (hash >> 33);
    }
}
