using Qbee.Authz.Service.Telemetry;

namespace Qbee.Authz.Service.Audit;

/// <summary>The audit queue's state as the metrics read it.</summary>
internal sealed class AuditGauges(AuditQueue audit, AuditWatchers? watchers = null) : IAuditGauges
{
    public IEnumerable<AuditWatchLag> WatchLags =>
        watchers?.Lags().Select(l => new AuditWatchLag(l.Watcher.Caller, l.Watcher.AccountId, l.LagSeconds)) ?? [];

    public int QueueDepth => audit.Depth;

    public bool StoreAvailable => audit.Store.IsAvailable;

    public long RefusedChecks => audit.Tickets.Refusals;
}
