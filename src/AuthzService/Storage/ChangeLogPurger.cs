using Microsoft.Extensions.Options;

namespace Qbee.Authz.Service.Storage;

/// <summary>
/// Retention of the change log (Authz:ChangeLog): once at start and then every PurgeInterval, deletes the change
/// sets committed before now - Retention, except the newest KeepRevisions of each account, in batches of BatchSize
/// so no transaction holds the store for long. A replica behind what is left loads its account whole.
/// </summary>
internal sealed class ChangeLogPurger(
    IAuthzStore store,
    IOptions<ChangeLogOptions> options,
    TimeProvider timeProvider,
    ILogger<ChangeLogPurger> logger) : PeriodicPurge(timeProvider)
{
    protected override TimeSpan? Interval => options.Value.PurgeInterval;

    protected override void RoundFailed(Exception exception) => StorageLog.ChangeLogPurgeFailed(logger, exception);

    /// <summary>One round: deletes every change set past the retention; returns how many.</summary>
    public override async Task<long> PurgeAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var cutoff = Clock.GetUtcNow() - settings.Retention;
        long total = 0;
        int deleted;
        do
        {
            deleted = await store.PurgeChangeLogAsync(cutoff, settings.KeepRevisions, settings.BatchSize, cancellationToken);
            total += deleted;
        }
        while (deleted == settings.BatchSize);

        if (total > 0)
        {
            StorageLog.ChangeLogPurged(logger, total, cutoff, settings.KeepRevisions);
        }

        return total;
    }
}
