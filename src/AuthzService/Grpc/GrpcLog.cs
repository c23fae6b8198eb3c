namespace Qbee.Authz.Service.Grpc;

/// <summary>The log lines of the gRPC services and the error interceptor, source-generated; the event ids are listed in docs/EVENT-IDS.md.</summary>
internal static partial class GrpcLog
{
    [LoggerMessage(10, LogLevel.Error, "Unexpected error in {Method}")]
    public static partial void UnexpectedError(ILogger logger, Exception exception, string method);

    [LoggerMessage(90, LogLevel.Warning, "WatchRevocations of {AccountId} by {Caller} ended: the reader was too slow (more than {Buffer} revocations waited); it resumes after revision {Revision}")]
    public static partial void WatchTooSlow(ILogger logger, string accountId, string caller, int buffer, long revision);

    [LoggerMessage(91, LogLevel.Warning, "WatchRevocations of {AccountId} refused to {Caller}: {Limit} streams are open, the most a caller may hold (Authz:Limits:MaxWatchStreamsPerCaller)")]
    public static partial void WatchStreamsExhausted(ILogger logger, string accountId, string caller, int limit);

    [LoggerMessage(92, LogLevel.Debug, "WatchRevocations of {AccountId} by {Caller} ended: the service is stopping (last revision sent {Revision})")]
    public static partial void WatchEndedAtShutdown(ILogger logger, string accountId, string caller, long revision);

    [LoggerMessage(93, LogLevel.Information, "WatchRevocations of {AccountId} by {Caller} resumes after revision {Revision}, older than the change log holds: every user of the account is named once")]
    public static partial void WatchReplayNotCovered(ILogger logger, string accountId, string caller, long revision);

    [LoggerMessage(120, LogLevel.Warning, "WatchAuditEvents refused to {Caller}: it holds the most streams a caller may (Authz:Audit:MaxWatchStreamsPerCaller)")]
    public static partial void AuditWatchStreamsExhausted(ILogger logger, string caller);

    [LoggerMessage(121, LogLevel.Debug, "WatchAuditEvents by {Caller} ended: the service is stopping (last event sent {EventId})")]
    public static partial void AuditWatchEndedAtShutdown(ILogger logger, string caller, long eventId);

    [LoggerMessage(122, LogLevel.Information, "WatchAuditEvents by {Caller} ended: retention deleted events after {EventId}, the stream could not be complete")]
    public static partial void AuditWatchPurgedPast(ILogger logger, string caller, long eventId);
}
