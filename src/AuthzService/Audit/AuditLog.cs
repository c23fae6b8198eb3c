namespace Qbee.Authz.Service.Audit;

/// <summary>The log lines of the audit queue, writer and retention, source-generated; the event ids are listed in docs/EVENT-IDS.md.</summary>
internal static partial class AuditLog
{
    [LoggerMessage(5, LogLevel.Warning, "The audit queue is full: checks wait for room ({Depth} events queued)")]
    public static partial void AuditQueueFull(ILogger logger, int depth);

    [LoggerMessage(6, LogLevel.Error, "Writing {Count} audit events failed; retrying")]
    public static partial void AuditWriteFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(7, LogLevel.Information, "Audit writer drained {Count} events at shutdown")]
    public static partial void AuditDrained(ILogger logger, int count);

    [LoggerMessage(14, LogLevel.Information, "Audit retention: deleted {Count} events older than {Cutoff:O}")]
    public static partial void AuditPurged(ILogger logger, long count, DateTimeOffset cutoff);

    [LoggerMessage(15, LogLevel.Error, "Audit retention: deleting old events failed; retrying at the next round")]
    public static partial void AuditPurgeFailed(ILogger logger, Exception exception);

    [LoggerMessage(70, LogLevel.Error, "The audit store is unavailable ({Reason}): remote-access:connect checks are refused UNAVAILABLE until it takes events again")]
    public static partial void AuditStoreUnavailable(ILogger logger, string reason);

    [LoggerMessage(71, LogLevel.Information, "The audit store takes events again, after {Seconds:F1} s: remote-access:connect checks are answered")]
    public static partial void AuditStoreAvailable(ILogger logger, double seconds);

    [LoggerMessage(72, LogLevel.Critical, "The store refuses an audit event for good; its check was refused UNAVAILABLE and the event is kept here: {Event}")]
    public static partial void AuditEventRefused(ILogger logger, Exception exception, string @event);
}
