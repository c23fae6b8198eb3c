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

    private readonly ConcurrentDictionary<string, Run> _runs = new(StringComparer.Ordinal);

    /// <summary>Whether the stream after this append calls for a new compacted snapshot.</summary>
    public bool IsDue(StreamState state) =>
        state.Appended > 0
        && (state.Compacted is null
            || state.Length >= options.Value.CompactEvery
            || state.PendingBytes * 2 >= state.CompactedBytes
            || timeProvider.GetUtcNow() - state.CompactedAt >= options.Value.CompactInterval);

    /// <summary>
    /// Starts a compaction in the background when it is due; when one of the account already runs in this process,
    /// it runs once more after it (writes kept coming while it read the log).
    /// </summary>
    public void Consider(string accountId, StreamState state)
    {
        if (IsDue(state))
        {
            Start(accountId);
        }
    }

    /// <summary>Completes when no compaction of the account runs in this process (tests wait for it).</summary>
    public async Task IdleAsync(string accountId)
    {
        while (_runs.TryGetValue(accountId, out var run))
        {
            await run.Done.Task;
        }
    }

    private void Start(string accountId)
    {
        var run = new Run();
        if (!_runs.TryAdd(accountId, run))
        {
            if (_runs.TryGetValue(accountId, out var running))
            {
                Volatile.Write(ref running.Again, 1);
            }

            return;
        }

        _ = Task.Run(() => RunAsync(accountId, run));
    }

    private async Task RunAsync(string accountId, Run run)
    {
        try
        {
            do
            {
                Volatile.Write(ref run.Again, 0);
                await CompactAsync(accountId, CancellationToken.None);
            }
            while (Volatile.Read(ref run.Again) == 1);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The stream keeps growing until the next due append retries; replicas still follow it.
            SnapshotsLog.CompactionFailed(logger, e, accountId);
        }
        finally
        {
            _runs.TryRemove(new KeyValuePair<string, Run>(accountId, run));
            run.Done.TrySetResult();
        }

        if (Volatile.Read(ref run.Again) == 1)
        {
            Start(accountId); // asked for between the last round and the removal
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

    /// <summary>One account's compactions in this process: <see cref="Again"/> is set when another was asked for meanwhile.</summary>
    private sealed class Run
    {
        public int Again;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
