using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Domain.Changes;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.Service.Telemetry;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>
/// Brings account snapshots to the store's version, at the cost of what changed: the change sets after the version
/// held (from Redis's stream, the gaps and the rest from the store's change log) patched onto it one by one. A replica
/// that holds nothing, or cannot chain (the log purged past it, a patch failed), starts from the compacted snapshot in
/// Redis and the change sets after it, else loads the account from SQL (one replica at a time, under a short Redis
/// lock) and stores it as the compacted snapshot for the others. SQL is the truth: Redis data is taken only when it
/// chains onto a version the store holds (its change sets reach the store's version, or continue into its log), and a
/// snapshot of a version the store does not have (the store was restored from an older copy) is replaced by the
/// store's, even at a lower revision. One refresh at a time per account in this process; a caller whose revision a
/// concurrent refresh already covered returns at once, so bursts of writes coalesce into one read of the log.
/// </summary>
internal sealed class SnapshotRefresher(
    IAuthzStore store,
    SnapshotRegistry registry,
    RedisSnapshotCache redis,
    SnapshotCompactor compactor,
    SyncFreshness freshness,
    TimeProvider timeProvider,
    AuthzMetrics metrics,
    ILogger<SnapshotRefresher> logger,
    UserAccountIndex? index = null,
    IOptions<SnapshotOptions>? snapshotOptions = null)
{
    // While another replica holds the rebuild lock, look for its result every 50 ms, at most 40 times: a rebuild
    // from SQL takes milliseconds to about a second, so 2 s spares the store one load per replica without making a
    // check wait long when the holder died (its lock expires, and this replica rebuilds itself).
    private static readonly TimeSpan WaitForOtherReplica = TimeSpan.FromMilliseconds(50);
    private const int WaitRounds = 40;

    // Further behind than this many change sets, loading the account whole is as cheap as patching.
    internal const int MaxChain = 4096;

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    // Accounts on demand: an account not held is followed in the user index only, unless pinned.
    private readonly bool _onDemand = snapshotOptions is { Value.OnDemand: true } && index is not null;
    private readonly ConcurrentDictionary<string, byte> _divergenceLogged = new(StringComparer.Ordinal);

    /// <summary>After a write of this replica committed <paramref name="revision"/>: answer from the store's state.</summary>
    public Task EnsureRevisionAsync(string accountId, long revision, CancellationToken cancellationToken) =>
        registry.Get(accountId)?.Revision == revision
            ? Task.CompletedTask
            : RefreshAsync(accountId, new Target(revision, null, RepairRedis: true), cancellationToken);

    /// <summary>A change message: a hint only, followed once the store confirms the version.</summary>
    public Task FollowAsync(string accountId, AccountVersion announced, CancellationToken cancellationToken) =>
        registry.Get(accountId)?.Revision >= announced.Revision
            ? Task.CompletedTask
            // No repair from here: two stores sharing one Redis would overwrite each other message by message.
            : RefreshAsync(accountId, new Target(announced.Revision, null, RepairRedis: false, Load: MustHold(accountId)), cancellationToken);

    /// <summary>
    /// Accounts on demand: loads an account not held (the store's version, through Redis when it has it), under the
    /// account's gate like any refresh. Nothing when the store has no such account.
    /// </summary>
    public async Task LoadAsync(string accountId, CancellationToken cancellationToken)
    {
        // A write committed between the version read and the publish had its change message find nothing held (so
        // only the user index followed it): read the version again once published, and follow until it holds still.
        // A message after the publish finds the account held and is followed as usual.
        for (var round = 0; round < 3; round++)
        {
            if (await store.GetAccountAsync(accountId, cancellationToken) is not { } account
                || registry.Get(accountId)?.Revision >= account.Revision)
            {
                return;
            }

            await RefreshAsync(accountId, new Target(account.Revision, account.Version, RepairRedis: true), cancellationToken);
        }
    }

    /// <summary>
    /// Drops the account's snapshot unless a refresh of it is running (then null: evicted another time); what was
    /// dropped otherwise. The user index takes the account's users and its freshness is forgotten under the same gate,
    /// so a reload right after cannot have its freshness (or newer index entries) undone by this eviction.
    /// </summary>
    public AccountSnapshot? TryEvict(string accountId)
    {
        var gate = _gates.GetOrAdd(accountId, _ => new SemaphoreSlim(1, 1));
        if (!gate.Wait(0))
        {
            return null;
        }

        try
        {
            var evicted = registry.Evict(accountId);
            if (evicted is not null)
            {
                index?.Reflect(evicted);
                freshness.Forget(accountId);
            }

            return evicted;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Whether a write of the account is followed by loading it when not held: always, but on demand only a pinned one.</summary>
    private bool MustHold(string accountId) => !_onDemand || snapshotOptions!.Value.AlwaysHolds(accountId);

    /// <summary>
    /// Start-up: every account in the store. Fails when the store cannot be read: nothing could be verified, and a
    /// replica that answers only "user not found" must not report SERVING.
    /// </summary>
    public async Task LoadAllAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (_onDemand)
        {
            // Only the index of users and the pinned accounts: the rest loads when asked about.
            await index!.LoadAsync(cancellationToken);
            var pinned = new List<AccountRecord>();
            foreach (var accountId in snapshotOptions!.Value.PinnedAccounts)
            {
                if (await store.GetAccountAsync(accountId, cancellationToken) is { } account)
                {
                    pinned.Add(account);
                }
            }

            await LoadEachAsync(pinned, cancellationToken);
            SnapshotsLog.SnapshotsLoaded(logger, pinned.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return;
        }

        var accounts = await store.ListAccountsAsync(cancellationToken);
        await LoadEachAsync(accounts, cancellationToken);
        SnapshotsLog.SnapshotsLoaded(logger, accounts.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private async Task LoadEachAsync(IReadOnlyList<AccountRecord> accounts, CancellationToken cancellationToken)
    {
        foreach (var account in accounts)
        {
            try
            {
                await SyncAsync(account.AccountId, account.Version, head: null, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One broken account must not keep the others from serving; its users are "not found" (fail
                // closed) until the poll loads it.
                SnapshotsLog.AccountLoadFailed(logger, e, account.AccountId);
            }
        }
    }

    /// <summary>
    /// The poll: Redis's heads of the accounts held (read first, so a head the store then does not show is
    /// another history, not a write that raced the read), then the store's versions of every account.
    /// Throws the store's error when SQL cannot be read: nothing is confirmed then.
    /// </summary>
    public async Task PollAsync(CancellationToken cancellationToken)
    {
        var heads = await ReadHeadsAsync(registry.Snapshots.Select(s => s.AccountId).ToArray());
        foreach (var account in await store.ListAccountsAsync(cancellationToken))
        {
            try
            {
                await SyncAsync(account.AccountId, account.Version, heads.GetValueOrDefault(account.AccountId), cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Per account: one that fails to load does not hold the others back.
                SnapshotsLog.AccountLoadFailed(logger, e, account.AccountId);
            }
        }
    }

    /// <summary>
    /// Makes this replica serve <paramref name="stored"/>, the store's version just read. With Redis's
    /// <paramref name="head"/> read before it, a head the store does not have is rewritten.
    /// </summary>
    private Task SyncAsync(string accountId, AccountVersion stored, AccountVersion? head, CancellationToken cancellationToken)
    {
        var load = MustHold(accountId);
        if (!load && registry.Get(accountId) is null && index!.RevisionOf(accountId) >= stored.Revision)
        {
            return Task.CompletedTask; // not held, and the user index is current
        }

        if (registry.Get(accountId)?.Version == stored)
        {
            freshness.Confirmed(accountId);
            if (head is not { } h || !Diverges(h, stored))
            {
                return Task.CompletedTask;
            }
        }

        return RefreshAsync(accountId, new Target(stored.Revision, stored, RepairRedis: true, load), cancellationToken);
    }

    /// <param name="MinRevision">The revision the caller knows the store reached.</param>
    /// <param name="Stored">The store's version when the caller read it (maybe before a later write).</param>
    /// <param name="RepairRedis">Whether a Redis head the store does not have is overwritten.</param>
    /// <param name="Load">Whether an account not held is loaded (else, on demand, only the user index follows it).</param>
    private readonly record struct Target(long MinRevision, AccountVersion? Stored, bool RepairRedis, bool Load = true);

    private async Task RefreshAsync(string accountId, Target target, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd(accountId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            await RefreshLockedAsync(accountId, target, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task RefreshLockedAsync(string accountId, Target target, CancellationToken cancellationToken)
    {
        var held = registry.Get(accountId);
        if (target.Stored is null && held?.Revision == target.MinRevision)
        {
            return; // a concurrent refresh covered this write
        }

        if (held is null && !target.Load)
        {
            // On demand, not held (decided under the gate: a load in progress is held by now): the index follows.
            await index!.CatchUpAsync(accountId, target.MinRevision, cancellationToken);
            return;
        }

        using var activity = AuthzActivities.StartSnapshotRebuild(accountId, target.MinRevision);
        var started = Stopwatch.GetTimestamp();

        // Redis first, the store after: then a head the store does not have is not a write that raced the read.
        var head = await ReadHeadAsync(accountId);
        var stored = target.Stored;
        var mustRead = stored is { } known
            // read before the head, or it would replace what is held: confirm it
            ? (head is { } h && Diverges(h, known)) || (held is not null && held.Version != known && held.Revision >= known.Revision)
            // a write's revision that Redis or this replica claims to have: verify; else the load below tells it
            : head?.Revision >= target.MinRevision || held?.Revision > target.MinRevision;
        if (mustRead)
        {
            var account = await store.GetAccountAsync(accountId, cancellationToken);
            if (account is null)
            {
                return; // not in this store: never served from Redis
            }

            stored = account.Version;
        }

        var diverged = false;
        if (stored is { } version)
        {
            diverged = head is { } other && Diverges(other, version);
            if (held?.Version == version)
            {
                freshness.Confirmed(accountId);
                if (!diverged || !target.RepairRedis)
                {
                    return;
                }
            }

            if (diverged && _divergenceLogged.TryAdd(accountId, 0))
            {
                SnapshotsLog.RedisDiffersFromStore(logger, accountId, head!.Value.ToString(), version.ToString());
            }
        }

        if (!diverged)
        {
            if (held is not null && await TryPatchAsync(accountId, held, stored, target, started, activity, cancellationToken))
            {
                return;
            }

            if (await LoadCompactedAsync(accountId, stored, target, cancellationToken) is { } compacted)
            {
                Publish(compacted, RebuildSource.Redis, started, activity);
                return;
            }
        }

        var (data, source) = diverged
            ? (await store.LoadAccountAsync(accountId, cancellationToken), RebuildSource.Sql)
            : await LoadThroughRedisLockAsync(accountId, target, stored, cancellationToken);
        if (data is null)
        {
            return;
        }

        if (diverged && target.RepairRedis)
        {
            await ResetRedisAsync(data);
        }

        Publish(data, source, started, activity);
    }

    /// <summary>
    /// Patches the held snapshot with the change sets after it, publishing each; false when they do not chain onto it
    /// (the caller then loads the account whole).
    /// </summary>
    private async Task<bool> TryPatchAsync(
        string accountId, AccountSnapshot held, AccountVersion? stored, Target target, long started, Activity? activity, CancellationToken cancellationToken)
    {
        var chain = await ReadChainAsync(accountId, held.Version, stored, cancellationToken);
        if (chain is not { ChangeSets.Count: > 0 })
        {
            return false;
        }

        if (target.RepairRedis)
        {
            await AppendToRedisAsync(accountId, chain); // first: the other replicas patch while this one does
        }

        var current = held;
        var skipped = new List<string>();
        foreach (var changeSet in chain.ChangeSets)
        {
            PatchedSnapshot patched;
            try
            {
                patched = SnapshotPatcher.Apply(current, changeSet, timeProvider.GetUtcNow(), skipped);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                SnapshotsLog.PatchFailed(logger, e, accountId, changeSet.Revision);
                return false;
            }

            registry.Publish(patched);
            current = patched.Snapshot;
        }

        foreach (var reason in skipped.Distinct(StringComparer.Ordinal))
        {
            SnapshotsLog.ResourceSkipped(logger, accountId, reason);
        }

        freshness.Confirmed(accountId);
        var elapsed = Stopwatch.GetElapsedTime(started);
        metrics.SnapshotRebuilt(RebuildSource.Patch, elapsed);
        activity?.SetTag(AuthzActivities.Revision, current.Revision);
        activity?.SetTag(AuthzActivities.Source, "patch");
        activity?.SetTag(AuthzActivities.ChangeSets, chain.ChangeSets.Count);
        activity?.SetTag(AuthzActivities.Devices, current.DeviceCount);
        SnapshotsLog.ChangeSetsApplied(
            logger, accountId, chain.ChangeSets.Count, held.Revision, current.Revision, chain.FromRedis, elapsed.TotalMilliseconds);
        return true;
    }

    /// <summary>
    /// The compacted snapshot in Redis with the change sets after it applied; null when there is none, or it does not
    /// chain onto the store's history (then SQL is read instead).
    /// </summary>
    private async Task<AccountData?> LoadCompactedAsync(string accountId, AccountVersion? stored, Target target, CancellationToken cancellationToken)
    {
        AccountData? rows;
        try
        {
            rows = redis.Usable && await redis.GetCompactedVersionAsync(accountId) is { } version
                ? await redis.TryLoadCompactedAsync(accountId, version)
                : null;
        }
        catch (Exception e) when (RedisFailure.Is(e))
        {
            SnapshotsLog.RedisSyncFailed(logger, e, accountId);
            return null;
        }

        if (rows is null)
        {
            return null;
        }

        var chain = await ReadChainAsync(accountId, rows.Account.Version, stored, cancellationToken);
        // Confirmed by the store: its version is the compacted one, or the change sets chain from it into the store's.
        if (chain is null || (chain.ChangeSets.Count == 0 && rows.Account.Version != stored))
        {
            return null;
        }

        try
        {
            var data = chain.ChangeSets.Count == 0 ? rows : ChangeSetApplier.Apply(rows, chain.ChangeSets);
            if (target.RepairRedis && chain.ChangeSets.Count > 0)
            {
                await AppendToRedisAsync(accountId, chain);
            }

            SnapshotsLog.SnapshotSource(logger, accountId, data.Account.Revision, "Redis");
            return data;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// The change sets from <paramref name="from"/> to the store's version, each onto the one before: from Redis's
    /// stream while it chains (taken only when it reaches <paramref name="stored"/>, the store's version, or continues
    /// into the store's log), the rest from the store's change log. Null when they do not chain, the log no longer
    /// holds the revision after <paramref name="from"/>, or there are more than <see cref="MaxChain"/>. Empty when
    /// nothing follows (with <paramref name="stored"/> unknown, that confirms nothing).
    /// </summary>
    private async Task<ChangeChain?> ReadChainAsync(string accountId, AccountVersion from, AccountVersion? stored, CancellationToken cancellationToken)
    {
        var changeSets = new List<ChangeSet>();
        var end = from;
        if (stored is { } target)
        {
            if (target.Revision <= from.Revision)
            {
                return target == from ? new ChangeChain(changeSets, 0) : null;
            }

            foreach (var changeSet in await ReadStreamAsync(accountId, from.Revision, target.Revision))
            {
                if (changeSet.Previous != end)
                {
                    break;
                }

                changeSets.Add(changeSet);
                end = changeSet.Version;
            }

            if (end == target)
            {
                return new ChangeChain(changeSets, changeSets.Count);
            }

            if (end.Revision >= target.Revision)
            {
                changeSets.Clear(); // Redis's reached the store's revision with another stamp: another history
                end = from;
            }
        }

        var page = await store.ReadChangeSetsAsync(accountId, end.Revision, MaxChain, cancellationToken);
        if (changeSets.Count > 0 && page is { ChangeSets: [var first, ..] } && first.Previous != end)
        {
            // Redis chained onto the version held but not into the store's log: the store's from the start.
            changeSets.Clear();
            end = from;
            page = await store.ReadChangeSetsAsync(accountId, end.Revision, MaxChain, cancellationToken);
        }

        var fromRedis = changeSets.Count;
        if (page is not { Covered: true })
        {
            return null;
        }

        foreach (var changeSet in page.ChangeSets)
        {
            if (changeSet.Previous != end)
            {
                return null;
            }

            changeSets.Add(changeSet);
            end = changeSet.Version;
        }

        // Behind by more than a page; or Redis's part anchored by neither the store's version nor its log.
        return end.Revision < page.AccountRevision || (fromRedis > 0 && fromRedis == changeSets.Count)
            ? null
            : new ChangeChain(changeSets, fromRedis);
    }

    /// <param name="ChangeSets">In revision order, each onto the one before.</param>
    /// <param name="FromRedis">How many of the first came from Redis's stream (the rest from the store's log).</param>
    private sealed record ChangeChain(List<ChangeSet> ChangeSets, int FromRedis);

    /// <summary>
    /// Neither patches nor Redis's compacted snapshot reach the store's version. One replica loads the account from
    /// SQL and stores it as the compacted snapshot; the others wait a little for it, taken when the store confirms it.
    /// </summary>
    private async Task<(AccountData? Data, RebuildSource Source)> LoadThroughRedisLockAsync(
        string accountId, Target target, AccountVersion? stored, CancellationToken cancellationToken)
    {
        var owner = Guid.NewGuid().ToString("N");
        var locked = false;
        try
        {
            if (redis.Usable)
            {
                locked = await redis.TryLockAsync(accountId, owner);
                for (var round = 0; !locked && round < WaitRounds; round++)
                {
                    await Task.Delay(WaitForOtherReplica, timeProvider, cancellationToken);
                    if (await redis.GetCompactedVersionAsync(accountId) is { } compacted && compacted.Revision >= target.MinRevision)
                    {
                        stored ??= (await store.GetAccountAsync(accountId, cancellationToken))?.Version;
                        if (await LoadCompactedAsync(accountId, stored, target, cancellationToken) is { } cached)
                        {
                            return (cached, RebuildSource.Redis);
                        }

                        break;
                    }

                    locked = await redis.TryLockAsync(accountId, owner);
                }
            }
        }
        catch (Exception e) when (RedisFailure.Is(e))
        {
            SnapshotsLog.RedisSyncFailed(logger, e, accountId);
        }

        try
        {
            SnapshotsLog.SnapshotSource(logger, accountId, stored?.Revision ?? target.MinRevision, "SQL");
            var data = await store.LoadAccountAsync(accountId, cancellationToken);
            if (data is not null)
            {
                await StoreCompactedAsync(data); // under the lock: the waiters take it
            }

            return (data, RebuildSource.Sql);
        }
        finally
        {
            if (locked)
            {
                await ReleaseQuietlyAsync(accountId, owner);
            }
        }
    }

    /// <summary>A head of another history: ahead of the store, or at its revision with another stamp.</summary>
    private static bool Diverges(AccountVersion head, AccountVersion stored) =>
        head.Revision > stored.Revision || (head.Revision == stored.Revision && head.Stamp != stored.Stamp);

    private async Task<Dictionary<string, AccountVersion>> ReadHeadsAsync(string[] accountIds)
    {
        var heads = new Dictionary<string, AccountVersion>(StringComparer.Ordinal);
        if (!redis.Usable || accountIds.Length == 0)
        {
            return heads;
        }

        try
        {
            var values = await redis.GetHeadsAsync(accountIds);
            for (var i = 0; i < accountIds.Length; i++)
            {
                if (values[i] is { } head)
                {
                    heads[accountIds[i]] = head;
                }
            }
        }
        catch (Exception e) when (RedisFailure.Is(e))
        {
            SnapshotsLog.RedisSyncFailed(logger, e, "*");
        }

        return heads;
    }

    private async Task<AccountVersion?> ReadHeadAsync(string accountId)
    {
        if (!redis.Usable)
        {
            return null;
        }

        try
        {
            return await redis.GetHeadAsync(accountId);
        }
        catch (Exception e) when (RedisFailure.Is(e))
        {
            SnapshotsLog.RedisSyncFailed(logger, e, accountId);
            return null;
        }
    }

    private async Task<List<ChangeSet>> ReadStreamAsync(string accountId, long afterRevision, long toRevision)
    {
        if (!redis.Usable)
        {
            return [];
        }

        try
        {
            return await redis.ReadChangesAsync(accountId, afterRevision, toRevision);
        }
        catch (Exception e) when (RedisFailure.Is(e))
        {
            SnapshotsLog.RedisSyncFailed(logger, e, accountId);
            return [];
        }
    }

    /// <summary>Appends the change sets read from the store to Redis's stream, announces them, and compacts when due.</summary>
    private async Task AppendToRedisAsync(string accountId, ChangeChain chain)
    {
        var fromStore = chain.ChangeSets.GetRange(chain.FromRedis, chain.ChangeSets.Count - chain.FromRedis);
        if (fromStore.Count == 0 || !redis.Usable)
        {
            return;
        }

        try
        {
            compactor.Consider(accountId, await redis.AppendAndAnnounceAsync(accountId, fromStore, fromStore[^1].Version));
        }
        catch (Exception e) when (RedisFailure.Is(e))
        {
            // Served here anyway; the others fill the gap from the store's log.
            SnapshotsLog.RedisSyncFailed(logger, e, accountId);
        }
    }

    /// <summary>Data loaded from SQL becomes the compacted snapshot when Redis's is older, and is announced.</summary>
    private async Task StoreCompactedAsync(AccountData data)
    {
        if (!redis.Usable)
        {
            return;
        }

        try
        {
            await redis.TryCompactAsync(data, replacing: null, timeProvider.GetUtcNow());
            await redis.AppendAndAnnounceAsync(data.Account.AccountId, [], data.Account.Version);
        }
        catch (Exception e) when (RedisFailure.Is(e))
        {
            // The snapshot is served here anyway; the others catch up through their poll of SQL.
            SnapshotsLog.RedisSyncFailed(logger, e, data.Account.AccountId);
        }
    }

    /// <summary>The store holds another history than Redis: Redis is rewritten to the store's.</summary>
    private async Task ResetRedisAsync(AccountData data)
    {
        if (!redis.Usable)
        {
            return;
        }

        try
        {
            await redis.ResetAndAnnounceAsync(data, timeProvider.GetUtcNow());
        }
        catch (Exception e) when (RedisFailure.Is(e))
        {
            SnapshotsLog.RedisSyncFailed(logger, e, data.Account.AccountId);
        }
    }

    private async Task ReleaseQuietlyAsync(string accountId, string owner)
    {
        try
        {
            await redis.ReleaseAsync(accountId, owner);
        }
        catch (Exception e) when (RedisFailure.Is(e))
        {
            SnapshotsLog.RedisSyncFailed(logger, e, accountId); // the lock expires by itself
        }
    }

    /// <summary>Swaps in verified data: a newer revision as usual, any other version as a replace.</summary>
    private void Publish(AccountData data, RebuildSource source, long started, Activity? activity)
    {
        var accountId = data.Account.AccountId;
        var skipped = new List<string>();
        var cutOff = new List<string>();
        var snapshot = SnapshotCompiler.Compile(data, timeProvider.GetUtcNow(), skipped, cutOff);
        foreach (var reason in skipped)
        {
            SnapshotsLog.ResourceSkipped(logger, accountId, reason);
        }

        if (cutOff.Count > 0)
        {
            SnapshotsLog.NodesCutOffFromRoot(logger, accountId, cutOff.Count, string.Join(", ", cutOff.Take(10)) + (cutOff.Count > 10 ? ", ..." : ""));
        }

        var held = registry.Get(accountId);
        if (held is null || snapshot.Revision > held.Revision)
        {
            registry.Publish(snapshot);
        }
        else if (held.Version != snapshot.Version)
        {
            SnapshotsLog.SnapshotReplaced(logger, accountId, held.Version.ToString(), snapshot.Version.ToString());
            registry.Replace(snapshot);
        }

        freshness.Confirmed(accountId);
        var elapsed = Stopwatch.GetElapsedTime(started);
        metrics.SnapshotRebuilt(source, elapsed);
        activity?.SetTag(AuthzActivities.Revision, snapshot.Revision);
        activity?.SetTag(AuthzActivities.Source, source == RebuildSource.Sql ? "sql" : "redis");
        activity?.SetTag(AuthzActivities.Devices, snapshot.DeviceCount);
        SnapshotsLog.SnapshotBuilt(logger, accountId, snapshot.Revision, snapshot.DeviceCount, snapshot.Users.Count, elapsed.TotalMilliseconds);
    }
}
