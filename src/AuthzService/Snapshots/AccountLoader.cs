using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>
/// Accounts on demand (Authz:Snapshots:Preload other than All): an account not held is loaded on its first use
/// through <see cref="SnapshotRefresher.LoadAsync"/> (Redis's compacted snapshot and the change sets after it, else
/// SQL), one load per account however many calls wait for it, each waiting within its own deadline. A load that
/// fails fails its waiters with UNAVAILABLE naming the account and is forgotten, so the next call tries again.
/// After each load, write, dry run and poll, the least recently used accounts are evicted while the snapshots held pass
/// the budget: never a pinned account, nor one a call holds (<see cref="AccountSlot.InFlight"/>). A slot is made only
/// for an account the store has: ids named by bad input (a watch, a min_revision) leave nothing behind.
/// </summary>
internal sealed class AccountLoader(
    SnapshotRegistry registry,
    SnapshotRefresher refresher,
    UserAccountIndex index,
    IAuthzStore store,
    IOptions<SnapshotOptions> options,
    ILogger<AccountLoader> logger)
{
    /// <summary>The longest one load may take, whatever its callers' deadlines (a hung store must not hold it forever).</summary>
    public static readonly TimeSpan MaxLoadTime = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, Task<AccountSnapshot?>> _loading = new(StringComparer.Ordinal);
    private readonly SnapshotOptions _options = options.Value;
    private readonly long _budget = options.Value.EffectiveBudget;
    private readonly Lock _evicting = new();
    private long _loads;
    private long _evictions;

    /// <summary>Whether accounts are loaded on demand (else every account is held from the start).</summary>
    public bool OnDemand => _options.OnDemand;

    /// <summary>Loads started so far (a test hook: concurrent first uses make one).</summary>
    internal long Loads => Interlocked.Read(ref _loads);

    /// <summary>Accounts evicted so far.</summary>
    internal long Evictions => Interlocked.Read(ref _evictions);

    /// <summary>
    /// The account held, loaded now when it is not; null when the store has no such account. Throws UNAVAILABLE
    /// naming the account when the load fails or does not end before <paramref name="cancellationToken"/>.
    /// </summary>
    public async ValueTask<AccountSnapshot?> GetAsync(string accountId, CancellationToken cancellationToken)
    {
        if (registry.Get(accountId) is { } held)
        {
            return held;
        }

        var mine = new TaskCompletionSource<AccountSnapshot?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var load = _loading.GetOrAdd(accountId, mine.Task);
        if (ReferenceEquals(load, mine.Task))
        {
            _ = RunLoadAsync(accountId, mine);
        }

        try
        {
            return await load.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new UnavailableException($"account {accountId} is being loaded on this replica and was not ready within the deadline; retry");
        }
    }

    /// <summary>
    /// Holds the account for a call that waits on it (a min_revision wait, a watch): loaded when cold, and not evicted
    /// until the hold is disposed. Null when the store has no such account.
    /// </summary>
    public async ValueTask<AccountHold?> HoldAsync(string accountId, CancellationToken cancellationToken)
    {
        AccountSlot? slot;
        try
        {
            slot = await SlotOfStoredAsync(accountId, cancellationToken);
        }
        catch (Exception e) when (StoreFaults.IsStoreFailure(e))
        {
            throw new UnavailableException($"account {accountId} is not held on this replica and the store cannot be asked for it; retry");
        }

        if (slot is null)
        {
            return null;
        }

        slot.Enter();
        try
        {
            // Entered first: once the snapshot is seen held, no eviction can take it.
            if (slot.Current is null && await GetAsync(accountId, cancellationToken) is null)
            {
                slot.Exit();
                return null;
            }

            return new AccountHold(slot);
        }
        catch
        {
            slot.Exit();
            throw;
        }
    }

    /// <summary>
    /// After a write of this replica committed <paramref name="revision"/>: the account brought to it (loaded when cold,
    /// so that the writer's next check sees its write), then the budget enforced as after any load.
    /// </summary>
    public async Task FollowWriteAsync(string accountId, long revision, CancellationToken cancellationToken)
    {
        await refresher.EnsureRevisionAsync(accountId, revision, cancellationToken);
        TryEnforceBudget(accountId);
    }

    /// <summary>
    /// Evicts least recently used accounts while the snapshots held pass the budget; never <paramref name="justLoaded"/>,
    /// which its callers are about to use (a budget smaller than one account holds that one alone).
    /// </summary>
    public void EnforceBudget(string? justLoaded = null)
    {
        if (!OnDemand || _budget == long.MaxValue)
        {
            return;
        }

        lock (_evicting)
        {
            var held = registry.Slots
                .Select(slot => (Slot: slot, Snapshot: slot.Current))
                .Where(s => s.Snapshot is not null)
                .Select(s => (s.Slot, Bytes: s.Snapshot!.EstimatedBytes))
                .ToList();
            var total = held.Sum(s => s.Bytes);
            if (total <= _budget)
            {
                return; // the usual case after a write or a dry run: nothing to sort
            }

            foreach (var (slot, bytes) in held.OrderBy(s => s.Slot.LastUsed))
            {
                if (total <= _budget)
                {
                    break;
                }

                if (_options.AlwaysHolds(slot.AccountId) || slot.InFlight > 0 || slot.AccountId == justLoaded)
                {
                    continue;
                }

                // The user index and the freshness follow under the account's gate (SnapshotRefresher.TryEvict).
                if (refresher.TryEvict(slot.AccountId) is not null)
                {
                    total -= bytes;
                    Interlocked.Increment(ref _evictions);
                    SnapshotsLog.AccountEvicted(logger, slot.AccountId, bytes, total, _budget);
                }
            }
        }
    }

    private async Task RunLoadAsync(string accountId, TaskCompletionSource<AccountSnapshot?> load)
    {
        Interlocked.Increment(ref _loads);
        var started = Stopwatch.GetTimestamp();
        AccountSlot? slot = null;
        try
        {
            using var bounded = new CancellationTokenSource(MaxLoadTime);
            slot = await SlotOfStoredAsync(accountId, bounded.Token);
            if (slot is null)
            {
                load.TrySetResult(null);
                return;
            }

            // Held (and stamped used) while it loads, until its waiters have the snapshot: another load's eviction
            // pass must not take it between its publish and the hand-over, which would answer them "not found".
            slot.Enter();
            await refresher.LoadAsync(accountId, bounded.Token);
            var snapshot = registry.Get(accountId);
            if (snapshot is not null)
            {
                SnapshotsLog.AccountLoadedOnDemand(logger, accountId, snapshot.Revision, snapshot.EstimatedBytes, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            load.TrySetResult(snapshot);
        }
        catch (Exception e)
        {
            SnapshotsLog.AccountLoadFailed(logger, e, accountId);
            load.TrySetException(new UnavailableException($"account {accountId} could not be loaded on this replica (store or Redis unavailable); retry"));
        }
        finally
        {
            slot?.Exit();
            // Forgotten once done, failed or not: the next first use loads again.
            _loading.TryRemove(new KeyValuePair<string, Task<AccountSnapshot?>>(accountId, load.Task));
        }

        if (slot is not null)
        {
            TryEnforceBudget(accountId);
        }
    }

    /// <summary>After a load, a write or a dry run: a failed eviction pass is logged, never the caller's failure.</summary>
    public void TryEnforceBudget(string? justLoaded = null)
    {
        try
        {
            EnforceBudget(justLoaded);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            SnapshotsLog.SyncFailed(logger, e);
        }
    }

    /// <summary>
    /// The account's slot: the one it has, else a new one when the store has the account (the user index knows every
    /// account on demand, else the store is asked); null when the store has no such account. Throws the store's error.
    /// </summary>
    private async ValueTask<AccountSlot?> SlotOfStoredAsync(string accountId, CancellationToken cancellationToken)
    {
        if (registry.TryGetSlot(accountId) is { } slot)
        {
            return slot;
        }

        var stored = index.RevisionOf(accountId) > 0 || await store.GetAccountAsync(accountId, cancellationToken) is not null;
        return stored ? registry.SlotOf(accountId) : null;
    }
}
