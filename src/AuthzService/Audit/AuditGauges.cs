using Qbee.Authz.Service.Telemetry;

namespace Qbee.Authz.Service.Audit;

/// <summary>The audit queue's state as the metrics read it.</summary>
internal sealed class AuditGauges(AuditQueue audit) : IAuditGauges
{
    public int QueueDepth => audit.Depth;

    public bool StoreAvailable => audit.Store.IsAvailable;

    public long RefusedChecks => audit.Tickets.Refusals;
}
