using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Domain.Changes;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>
/// Keeps an account's data in Redis within about twice one full snapshot, however many writes: after an append, when
/// the change sets since the compacted snapshot reach half its size, <see cref="SyncOptions.CompactEvery"/> revisions
/// or <see cref="SyncOptions.CompactInterval"/>, one replica (under a Redis lock, in the background) brings the
/// compacted rows forward with the store's change log (<see cref="ChangeSetApplier"/>; a SQL load when Redis has none
/// the store confirms), writes them as the new compacted snapshot, deletes the old one and trims the stream below it.
/// </summary>
internal sealed class SnapshotCompactor(
    IAuthzStore store,
    RedisSnapshotCache redis,
    IOptions<SyncOptions> options,
    TimeProvider timeProvider,
    ILogger<SnapshotCompactor> logger)
{
    // Long enough for a 100k-device account to be encoded and written; a holder that died frees it by expiry.
    private static readonly TimeSpan LockTime = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);

    /// <summary>Whether the stream after this append calls for a new compacted snapshot.</summary>
    public bool IsDue(StreamState state) =>
        state.Appended > 0
        && (state.Compacted is null
            || state.Length >= options.Value.CompactEvery
            || state.PendingBytes * 2 >= state.CompactedBytes
            || timeProvider.GetUtcNow() - state.CompactedAt >= options.Value.CompactInterval);

    /// <summary>Starts a compaction in the background when it is due and none of the account runs in this process.</summary>
    public void Consider(string accountId, StreamState state)
    {
        if (!IsDue(state) || _running.ContainsKey(accountId))
        {
            return;
        }

        var run = new Task<Task>(() => RunAsync(accountId));
        if (_running.TryAdd(accountId, run.Unwrap()))
        {
            run.Start(TaskScheduler.Default);
        }
    }

    /// <summary>The compaction running for the account in this process, if any (tests wait for it).</summary>
    public Task Running(string accountId) => _running.GetValueOrDefault(accountId) ?? Task.CompletedTask;

    private async Task RunAsync(string accountId)
    {
        try
        {
            await CompactAsync(accountId, CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The stream keeps growing until the next due append retries; replicas still follow it.
            SnapshotsLog.CompactionFailed(logger, e, accountId);
        }
        finally
        {
            _running.TryRemove(accountId, out _);
        }
    }

    /// <summary>Writes a new compacted snapshot at the store's newest logged revision; false when another replica holds the lock.</summary>
    public async Task<bool> CompactAsync(string accountId, CancellationToken cancellationToken)
    {
        var owner = Guid.NewGuid().ToString("N");
        if (!await redis.TryLockCompactionAsync(accountId, owner, LockTime))
        {
            return false;
        }

        try
        {
            var started = Stopwatch.GetTimestamp();
            var compacted = await redis.GetCompactedVersionAsync(accountId);
            var data = compacted is { } version ? await BringForwardAsync(accountId, version, cancellationToken) : null;
            data ??= await store.LoadAccountAsync(accountId, cancellationToken);
            if (data is null || data.Account.Version == compacted)
            {
                return false;
            }

            var written = await redis.TryCompactAsync(data, compacted, timeProvider.GetUtcNow());
            if (written)
            {
                SnapshotsLog.SnapshotCompacted(logger, accountId, data.Account.Revision, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            return written;
        }
        finally
        {
            await redis.ReleaseCompactionAsync(accountId, owner);
        }
    }

    /// <summary>The compacted rows with the store's change sets after them; null when the store does not confirm them.</summary>
    private async Task<AccountData?> BringForwardAsync(string accountId, AccountVersion compacted, CancellationToken cancellationToken)
    {
        var rows = await redis.TryLoadCompactedAsync(accountId, compacted);
        if (rows is null)
        {
            return null;
        }

        var page = await store.ReadChangeSetsAsync(accountId, compacted.Revision, options.Value.CompactEvery * 2, cancellationToken);
        if (page is { Covered: true, ChangeSets.Count: 0 } && page.AccountRevision == compacted.Revision)
        {
            return rows; // nothing to add
        }

        if (page is not { Covered: true, ChangeSets.Count: > 0 } || page.ChangeSets[0].Previous != compacted)
        {
            return null; // purged past it, or another history than the store's
        }

        try
        {
            return ChangeSetApplier.Apply(rows, page.ChangeSets);
        }
        catch (InvalidOperationException)
        {
            return null; // a gap in the log's chain: the store's rows are the truth
        }
    }
}
