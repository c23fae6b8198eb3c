using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.Audit;

/// <summary>
/// Retention (Authz:Audit:RetentionDays): once at start and then every PurgeInterval, deletes the events older
/// than the retention, in batches of BatchSize so no transaction holds the store for long. 0 days: does nothing.
/// </summary>
internal sealed class AuditPurger(
    IAuditStore store,
    IOptions<AuditOptions> options,
    TimeProvider timeProvider,
    ILogger<AuditPurger> logger) : PeriodicPurge(timeProvider)
{
    // 0 days keeps every event.
    protected override TimeSpan? Interval => options.Value.RetentionDays == 0 ? null : options.Value.PurgeInterval;

    protected override void RoundFailed(Exception exception) => AuditLog.AuditPurgeFailed(logger, exception);

    /// <summary>One round: deletes every event older than the retention; returns how many.</summary>
    public override async Task<long> PurgeAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var cutoff = Clock.GetUtcNow() - TimeSpan.FromDays(settings.RetentionDays);
        long total = 0;
        AuditPurgeBatch purged;
        do
        {
            purged = await store.DeleteAuditEventsBeforeAsync(cutoff, settings.BatchSize, cancellationToken);
            total += purged.Events;
        }
        while (purged.Segments == settings.BatchSize);

        if (total > 0)
        {
            AuditLog.AuditPurged(logger, total, cutoff);
        }

        return total;
    }
}
