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
    ILogger<AuditPurger> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.RetentionDays == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(settings.PurgeInterval, timeProvider);
        do
        {
            try
            {
                await PurgeAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                AuditLog.AuditPurgeFailed(logger, e);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    /// <summary>One round: deletes every event older than the retention; returns how many.</summary>
    public async Task<long> PurgeAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var cutoff = timeProvider.GetUtcNow() - TimeSpan.FromDays(settings.RetentionDays);
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

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
