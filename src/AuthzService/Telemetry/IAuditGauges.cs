namespace Qbee.Authz.Service.Telemetry;

/// <summary>What the audit gauges read, implemented in Audit: the metrics observe it without importing it.</summary>
internal interface IAuditGauges
{
    /// <summary>Audit events waiting for the writer.</summary>
    int QueueDepth { get; }

    /// <summary>Whether the store takes audit events.</summary>
    bool StoreAvailable { get; }

    /// <summary>remote-access:connect checks refused because their audit event could not be committed.</summary>
    long RefusedChecks { get; }

    /// <summary>Each open WatchAuditEvents stream: its caller, account (empty: all) and how far behind it is.</summary>
    IEnumerable<AuditWatchLag> WatchLags { get; }
}
