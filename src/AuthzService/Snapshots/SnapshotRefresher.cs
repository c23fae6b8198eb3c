using System.Collections.Concurrent;
using System.Diagnostics;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.Service.Telemetry;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>
/// Brings account snapshots to the store's version: from Redis when another replica stored exactly that version
/// (revision and stamp), else from SQL (one replica at a time, under a short Redis lock) and then stored in Redis
/// for the others. SQL is the truth: Redis data is taken only when the store holds its version, and a snapshot
/// of a version the store does not have (the store was restored from an older copy) is replaced by the store's,
/// even at a lower revision. One rebuild at a time per account in this process; a caller whose revision a
/// concurrent rebuild already covered returns at once, so bursts of writes coalesce.
/// </summary>
internal sealed class SnapshotRefresher(
    IAuthzStore store,
    SnapshotRegistry registry,
    RedisSnapshotCache redis,
    SyncFreshness freshness,
    TimeProvider timeProvider,
    AuthzMetrics metrics,
    ILogger<SnapshotRefresher> logger)
{
    // While another replica holds the rebuild lock, look for its result every 50 ms, at most 40 times: a rebuild
    // from SQL takes milliseconds to about a second, so 2 s spares the store one load per replica without making a
    // check wait long when the holder died (its lock expires, and this replica rebuilds itself).
    private static readonly TimeSpan WaitForOtherReplica = TimeSpan.FromMilliseconds(50);
    private const int WaitRounds = 40;

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
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
            : RefreshAsync(accountId, new Target(announced.Revision, null, RepairRedis: false), cancellationToken);

    /// <summary>
    /// Start-up: every account in the store. Fails when the store cannot be read: nothing could be verified, and a
    /// replica that answers only "user not found" must not report SERVING.
    /// </summary>
    public async Task LoadAllAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var accounts = await store.ListAccountsAsync(cancellationToken);
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

        SnapshotsLog.SnapshotsLoaded(logger, accounts.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
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
        if (registry.Get(accountId)?.Version == stored)
        {
            freshness.Confirmed(accountId);
            if (head is not { } h || !Diverges(h, stored))
            {
                return Task.CompletedTask;
            }
        }

        return RefreshAsync(accountId, new Target(stored.Revision, stored, RepairRedis: true), cancellationToken);
    }

    /// <param name="MinRevision">The revision the caller knows the store reached.</param>
    /// <param name="Stored">The store's version when the caller read it (maybe before a later write).</param>
    /// <param name="RepairRedis">Whether a Redis head the store does not have is overwritten.</param>
    private readonly record struct Target(long MinRevision, AccountVersion? Stored, bool RepairRedis);

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

            if (!diverged && head == version && await TryLoadFromRedisAsync(accountId, version) is { } cached)
            {
                SnapshotsLog.SnapshotSource(logger, accountId, version.Revision, "Redis");
                Publish(cached, RebuildSource.Redis, started, activity);
                return;
            }
        }

        var (data, source) = diverged
            ? (await store.LoadAccountAsync(accountId, cancellationToken), RebuildSource.Sql)
            : await LoadThroughRedisLockAsync(accountId, target.MinRevision, stored, cancellationToken);
        if (data is null)
        {
            return;
        }

        if (diverged && target.RepairRedis)
        {
            await StoreInRedisAsync(data, overwrite: true);
        }

        Publish(data, source, started, activity);
    }

    /// <summary>
    /// Nobody stored the account's new version in Redis yet. One replica rebuilds from SQL; the others wait a
    /// little for its result, taken when the store confirms it.
    /// </summary>
    private async Task<(AccountData? Data, RebuildSource Source)> LoadThroughRedisLockAsync(
        string accountId, long minRevision, AccountVersion? stored, CancellationToken cancellationToken)
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
                    if (await redis.GetHeadAsync(accountId) is { } head && head.Revision >= minRevision)
                    {
                        var confirmed = head == stored ? stored : (await store.GetAccountAsync(accountId, cancellationToken))?.Version;
                        if (head == confirmed && await TryLoadFromRedisAsync(accountId, head) is { } cached)
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
            SnapshotsLog.SnapshotSource(logger, accountId, stored?.Revision ?? minRevision, "SQL");
            var data = await store.LoadAccountAsync(accountId, cancellationToken);
            if (data is not null)
            {
                await StoreInRedisAsync(data, overwrite: false); // under the lock: the waiters take it
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

    private async Task<AccountData?> TryLoadFromRedisAsync(string accountId, AccountVersion version)
    {
        try
        {
            return await redis.TryLoadAsync(accountId, version);
        }
        catch (Exception e) when (RedisFailure.Is(e))
        {
            SnapshotsLog.RedisSyncFailed(logger, e, accountId);
            return null;
        }
    }

    private async Task StoreInRedisAsync(AccountData data, bool overwrite)
    {
        if (!redis.Usable)
        {
            return;
        }

        try
        {
            await redis.StoreAndAnnounceAsync(data, overwrite);
        }
        catch (Exception e) when (RedisFailure.Is(e))
        {
            // The snapshot is served here anyway; the others catch up through their poll of SQL.
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
