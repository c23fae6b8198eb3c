using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Hosting;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.Service.Telemetry;

namespace Qbee.Authz.Service.Caching;

/// <summary>
/// Brings account snapshots up to a revision: from Redis when another replica stored it, else from SQL (one
/// replica at a time, under a short Redis lock) and then stored in Redis for the others. One rebuild at a time
/// per account in this process; a caller whose revision a concurrent rebuild already covered returns at once,
/// so bursts of writes coalesce.
/// </summary>
internal sealed class SnapshotRefresher(
    IAuthzStore store,
    SnapshotRegistry registry,
    RedisSnapshotCache redis,
    TimeProvider timeProvider,
    AuthzMetrics metrics,
    ILogger<SnapshotRefresher> logger)
{
    private static readonly TimeSpan WaitForOtherReplica = TimeSpan.FromMilliseconds(50);
    private const int WaitRounds = 40;

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    /// <summary>Makes sure this replica answers from <paramref name="revision"/> or later.</summary>
    public async Task EnsureRevisionAsync(string accountId, long revision, CancellationToken cancellationToken)
    {
        if (registry.Get(accountId)?.Revision >= revision)
        {
            return;
        }

        var gate = _gates.GetOrAdd(accountId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (registry.Get(accountId)?.Revision >= revision)
            {
                return;
            }

            using var activity = AuthzActivities.StartSnapshotRebuild(accountId, revision);
            var started = Stopwatch.GetTimestamp();
            var (data, source) = await LoadAsync(accountId, revision, cancellationToken).ConfigureAwait(false);
            if (data is not null)
            {
                Publish(data, source, started, activity);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Start-up: every account known to Redis or SQL, each at the newer of the two revisions.</summary>
    public async Task LoadAllAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var targets = await NewestRevisionsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (accountId, revision) in targets)
        {
            try
            {
                await EnsureRevisionAsync(accountId, revision, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One broken account must not keep the others from serving; its users are "not found" (fail
                // closed) until the poll loads it.
                AuthzLog.AccountLoadFailed(logger, e, accountId);
            }
        }

        AuthzLog.SnapshotsLoaded(logger, targets.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>
    /// The newer of Redis's and SQL's revision of each account: Redis can be behind (a write whose snapshot could
    /// not be stored there, a Redis restarted empty), and SQL is the truth. Works with either one down; throws
    /// the store's error when SQL fails and Redis names no account.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>> NewestRevisionsAsync(CancellationToken cancellationToken)
    {
        var newest = new Dictionary<string, long>(StringComparer.Ordinal);
        if (redis.Usable)
        {
            try
            {
                var ids = await redis.ListAccountIdsAsync().ConfigureAwait(false);
                var revisions = await redis.GetRevisionsAsync(ids).ConfigureAwait(false);
                for (var i = 0; i < ids.Count; i++)
                {
                    newest[ids[i]] = revisions[i];
                }
            }
            catch (Exception e) when (RedisFailure.Is(e))
            {
                AuthzLog.RedisSyncFailed(logger, e, "*");
            }
        }

        try
        {
            foreach (var account in await store.ListAccountsAsync(cancellationToken).ConfigureAwait(false))
            {
                newest[account.AccountId] = Math.Max(newest.GetValueOrDefault(account.AccountId), account.Revision);
            }
        }
        catch (DbException e) when (newest.Count > 0)
        {
            // SQL down, Redis up: serve Redis's snapshots; writes fail until the store is back.
            AuthzLog.StoreUnavailable(logger, e.Message);
        }

        return newest;
    }

    private async Task<(AccountData? Data, RebuildSource Source)> LoadAsync(string accountId, long revision, CancellationToken cancellationToken)
    {
        if (redis.Usable)
        {
            try
            {
                return await LoadThroughRedisAsync(accountId, revision, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (RedisFailure.Is(e))
            {
                AuthzLog.RedisSyncFailed(logger, e, accountId);
            }
        }

        AuthzLog.SnapshotSource(logger, accountId, revision, "SQL");
        return (await store.LoadAccountAsync(accountId, cancellationToken).ConfigureAwait(false), RebuildSource.Sql);
    }

    private async Task<(AccountData? Data, RebuildSource Source)> LoadThroughRedisAsync(string accountId, long revision, CancellationToken cancellationToken)
    {
        var cached = await redis.TryLoadAsync(accountId, revision).ConfigureAwait(false);
        if (cached is not null)
        {
            AuthzLog.SnapshotSource(logger, accountId, cached.Account.Revision, "Redis");
            return (cached, RebuildSource.Redis);
        }

        // Nobody stored it yet. One replica rebuilds from SQL; the others wait a little for its result.
        var owner = Guid.NewGuid().ToString("N");
        var locked = await redis.TryLockAsync(accountId, owner).ConfigureAwait(false);
        for (var round = 0; !locked && round < WaitRounds; round++)
        {
            await Task.Delay(WaitForOtherReplica, timeProvider, cancellationToken).ConfigureAwait(false);
            cached = await redis.TryLoadAsync(accountId, revision).ConfigureAwait(false);
            if (cached is not null)
            {
                return (cached, RebuildSource.Redis);
            }

            locked = await redis.TryLockAsync(accountId, owner).ConfigureAwait(false);
        }

        try
        {
            AuthzLog.SnapshotSource(logger, accountId, revision, "SQL");
            var data = await store.LoadAccountAsync(accountId, cancellationToken).ConfigureAwait(false);
            if (data is not null)
            {
                await redis.StoreAndAnnounceAsync(data).ConfigureAwait(false);
            }

            return (data, RebuildSource.Sql);
        }
        finally
        {
            if (locked)
            {
                await redis.ReleaseAsync(accountId, owner).ConfigureAwait(false);
            }
        }
    }

    private void Publish(AccountData data, RebuildSource source, long started, Activity? activity)
    {
        var skipped = new List<string>();
        var cutOff = new List<string>();
        var snapshot = SnapshotCompiler.Compile(data, timeProvider.GetUtcNow(), skipped, cutOff);
        foreach (var reason in skipped)
        {
            AuthzLog.ResourceSkipped(logger, data.Account.AccountId, reason);
        }

        if (cutOff.Count > 0)
        {
            AuthzLog.NodesCutOffFromRoot(logger, data.Account.AccountId, cutOff.Count, string.Join(", ", cutOff.Take(10)) + (cutOff.Count > 10 ? ", ..." : ""));
        }

        registry.Publish(snapshot);
        var elapsed = Stopwatch.GetElapsedTime(started);
        metrics.SnapshotRebuilt(source, elapsed);
        activity?.SetTag(AuthzActivities.Revision, snapshot.Revision);
        activity?.SetTag(AuthzActivities.Source, source == RebuildSource.Sql ? "sql" : "redis");
        activity?.SetTag(AuthzActivities.Devices, snapshot.DeviceCount);
        AuthzLog.SnapshotBuilt(logger, data.Account.AccountId, snapshot.Revision, snapshot.DeviceCount, snapshot.Users.Count, elapsed.TotalMilliseconds);
    }
}
