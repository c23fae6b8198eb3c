using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Changes;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.Admin;

/// <summary>
/// A write rehearsed: the store runs it as the real write and rolls back (<see cref="IAuthzStore.DryRun"/>), handing
/// back the change set it would append; that change set is patched onto a private copy of the account's snapshot at
/// exactly the version it follows (<see cref="SnapshotPatcher"/>, as every replica would), and the two compared
/// (<see cref="ImpactDiff"/>). Nothing is stored or published. A replica that lags is refreshed first; one whose
/// snapshot is already past that version (another write committed and was seen in between) rehearses again, and
/// after three tries answers ABORTED. On demand, the account is held from its first refresh to the answer (loaded when
/// cold, never evicted in between: an eviction between the refresh and the read would look like a write in between),
/// and the budget enforced after.
/// </summary>
internal sealed class DryRunner(
    IAuthzStore store,
    SnapshotRefresher refresher,
    SnapshotRegistry registry,
    IOptions<LimitsOptions> limits,
    TimeProvider timeProvider,
    AccountLoader? loader = null)
{
    private const int Attempts = 3;

    public async Task<WriteResult<T>> RunAsync<T>(string accountId, Func<IAuthzStore, Task<T>> write, CancellationToken cancellationToken)
    {
        AccountHold? hold = null;
        try
        {
            for (var attempt = 0; attempt < Attempts; attempt++)
            {
                var dryRun = new StoreDryRun();
                var value = await write(store.DryRun(dryRun));
                var changes = dryRun.ChangeSet;
                AccountSnapshot? before = null;
                if (changes.Previous.Revision > 0)
                {
                    // The account exists (the rehearsal read it): held once, to the end.
                    hold ??= loader is { OnDemand: true } ? await loader.HoldAsync(accountId, cancellationToken) : null;
                    await refresher.EnsureRevisionAsync(accountId, changes.Previous.Revision, cancellationToken);
                    before = registry.Get(accountId);
                    if (before?.Version != changes.Previous)
                    {
                        continue;
                    }
                }

                var patched = before is null ? Created(changes) : SnapshotPatcher.Apply(before, changes, timeProvider.GetUtcNow());
                var impact = ImpactDiff.Compute(before, patched, changes, limits.Value.MaxImpactUsers);
                return new WriteResult<T>(value, dryRun.CurrentRevision, impact);
            }

            throw new AbortedException($"account {accountId} changed while the dry run was evaluated; retry");
        }
        finally
        {
            if (hold is not null)
            {
                hold.Dispose();
                loader!.TryEnforceBudget();
            }
        }
    }

    /// <summary>The account's creation: compiled from its change set alone; nobody held anything before.</summary>
    private PatchedSnapshot Created(ChangeSet changes)
    {
        var snapshot = SnapshotCompiler.Compile(ChangeSetApplier.Apply(null, changes), timeProvider.GetUtcNow());
        return new PatchedSnapshot(snapshot, [.. snapshot.Users.Keys], []);
    }
}
