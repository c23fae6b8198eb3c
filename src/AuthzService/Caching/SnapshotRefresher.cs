using System.Collections.Concurrent;
using System.Diagnostics;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Hosting;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.Caching;

/// <summary>
/// Rebuilds account snapshots from the store. One rebuild at a time per account; a writer whose revision is
/// already covered by a rebuild that ran while it waited returns at once, so bursts of writes coalesce.
/// </summary>
internal sealed class SnapshotRefresher(
    IAuthzStore store,
    SnapshotRegistry registry,
    TimeProvider timeProvider,
    ILogger<SnapshotRefresher> logger)
{
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

            await RebuildAsync(accountId, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Loads every account and publishes its snapshot: the start-up path.</summary>
    public async Task LoadAllAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var accounts = await store.ListAccountsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var account in accounts)
        {
            await EnsureRevisionAsync(account.AccountId, account.Revision, cancellationToken).ConfigureAwait(false);
        }

        AuthzLog.SnapshotsLoaded(logger, accounts.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private async Task RebuildAsync(string accountId, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var data = await store.LoadAccountAsync(accountId, cancellationToken).ConfigureAwait(false);
        if (data is null)
        {
            return;
        }

        var skipped = new List<string>();
        var snapshot = SnapshotCompiler.Compile(data, timeProvider.GetUtcNow(), skipped);
        foreach (var reason in skipped)
        {
            AuthzLog.ResourceSkipped(logger, accountId, reason);
        }

        registry.Publish(snapshot);
        AuthzLog.SnapshotBuilt(logger, accountId, snapshot.Revision, snapshot.DeviceCount, snapshot.Users.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
}
