namespace Qbee.Authz.Service.Hosting;

/// <summary>Every log line of the service, source-generated, each with its own event id.</summary>
internal static partial class AuthzLog
{
    [LoggerMessage(1, LogLevel.Information, "Store ready: {Provider}, schema version {Version}")]
    public static partial void StoreReady(ILogger logger, string provider, int version);

    [LoggerMessage(2, LogLevel.Information, "Loaded {Accounts} account snapshots in {ElapsedMs:F1} ms")]
    public static partial void SnapshotsLoaded(ILogger logger, int accounts, double elapsedMs);

    [LoggerMessage(3, LogLevel.Debug, "Snapshot of {AccountId} at revision {Revision}: {Devices} devices, {Users} users, built in {ElapsedMs:F1} ms")]
    public static partial void SnapshotBuilt(ILogger logger, string accountId, long revision, int devices, int users, double elapsedMs);

    [LoggerMessage(4, LogLevel.Warning, "Account {AccountId}: a stored grant is left out of the snapshot (it grants nothing): {Reason}")]
    public static partial void ResourceSkipped(ILogger logger, string accountId, string reason);

    [LoggerMessage(5, LogLevel.Warning, "The audit queue is full: checks wait for room ({Depth} events queued)")]
    public static partial void AuditQueueFull(ILogger logger, int depth);

    [LoggerMessage(6, LogLevel.Error, "Writing {Count} audit events failed; retrying")]
    public static partial void AuditWriteFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(7, LogLevel.Information, "Audit writer drained {Count} events at shutdown")]
    public static partial void AuditDrained(ILogger logger, int count);

    [LoggerMessage(8, LogLevel.Information, "Serving after start-up in {ElapsedMs:F0} ms")]
    public static partial void Started(ILogger logger, double elapsedMs);

    [LoggerMessage(9, LogLevel.Error, "Start-up failed: {Reason}")]
    public static partial void StartupFailed(ILogger logger, Exception exception, string reason);

    [LoggerMessage(10, LogLevel.Error, "Unexpected error in {Method}")]
    public static partial void UnexpectedError(ILogger logger, Exception exception, string method);

    [LoggerMessage(30, LogLevel.Warning, "Redis connection to {Endpoint} failed ({Failure}): answering from memory, converging through SQL until it is back")]
    public static partial void RedisConnectionFailed(ILogger logger, string endpoint, string failure);

    [LoggerMessage(31, LogLevel.Information, "Redis connection to {Endpoint} restored")]
    public static partial void RedisConnectionRestored(ILogger logger, string endpoint);

    [LoggerMessage(32, LogLevel.Warning, "Redis failed while syncing account {AccountId}; using SQL instead")]
    public static partial void RedisSyncFailed(ILogger logger, Exception exception, string accountId);

    [LoggerMessage(33, LogLevel.Warning, "Revision sync failed; retrying at the next poll")]
    public static partial void SyncFailed(ILogger logger, Exception exception);

    [LoggerMessage(36, LogLevel.Error, "Account {AccountId} could not be loaded; its users are denied (not found) until it can")]
    public static partial void AccountLoadFailed(ILogger logger, Exception exception, string accountId);

    [LoggerMessage(35, LogLevel.Debug, "Account {AccountId} at revision {Revision} loaded from {Source}")]
    public static partial void SnapshotSource(ILogger logger, string accountId, long revision, string source);
    [LoggerMessage(11, LogLevel.Warning, "No callers are configured (Authz:Callers): calls are served without a token, over loopback only")]
    public static partial void NoCallersLoopbackOnly(ILogger logger);

    [LoggerMessage(12, LogLevel.Information, "{Count} callers configured: every AuthorizationService and AdminService call needs a bearer token")]
    public static partial void CallersConfigured(ILogger logger, int count);

    [LoggerMessage(13, LogLevel.Critical, "{Message}")]
    public static partial void ExposedWithoutCallers(ILogger logger, string message);

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

    [LoggerMessage(50, LogLevel.Information, "Metrics: Prometheus scrape endpoint at {Url}/metrics (plain HTTP, no token)")]
    public static partial void PrometheusEndpoint(ILogger logger, string url);

    [LoggerMessage(51, LogLevel.Information, "Telemetry: exporting metrics and traces over OTLP to {Endpoint}")]
    public static partial void OtlpExport(ILogger logger, string endpoint);

    [LoggerMessage(80, LogLevel.Warning, "Account {AccountId}: Redis holds version {RedisVersion}, which the store does not have (it is at {StoreVersion}; restored from an older copy, or Redis shared with another store): serving the store's version and overwriting Redis's")]
    public static partial void RedisDiffersFromStore(ILogger logger, string accountId, string redisVersion, string storeVersion);

    [LoggerMessage(81, LogLevel.Warning, "Account {AccountId}: this replica's snapshot at version {HeldVersion} is not in the store (it is at {StoreVersion}): replaced with the store's, every user's rights may have changed")]
    public static partial void SnapshotReplaced(ILogger logger, string accountId, string heldVersion, string storeVersion);

    [LoggerMessage(82, LogLevel.Warning, "Account {AccountId} not confirmed current with the store for {AgeSeconds:F0} s (Authz:Sync:MaxStaleness {MaxSeconds:F0} s): AuthorizationService health is NOT_SERVING; checks keep answering from the snapshot held")]
    public static partial void AccountStale(ILogger logger, string accountId, double ageSeconds, double maxSeconds);

    [LoggerMessage(83, LogLevel.Information, "Account {AccountId} confirmed current with the store again")]
    public static partial void AccountConfirmedAgain(ILogger logger, string accountId);

    [LoggerMessage(90, LogLevel.Warning, "WatchRevocations of {AccountId} by {Caller} ended: the reader was too slow (more than {Buffer} revocations waited); it resumes after revision {Revision}")]
    public static partial void WatchTooSlow(ILogger logger, string accountId, string caller, int buffer, long revision);

    [LoggerMessage(91, LogLevel.Warning, "WatchRevocations of {AccountId} refused to {Caller}: {Limit} streams are open, the most a caller may hold (Authz:Limits:MaxWatchStreamsPerCaller)")]
    public static partial void WatchStreamsExhausted(ILogger logger, string accountId, string caller, int limit);

    [LoggerMessage(92, LogLevel.Debug, "WatchRevocations of {AccountId} by {Caller} ended: the service is stopping (last revision sent {Revision})")]
    public static partial void WatchEndedAtShutdown(ILogger logger, string accountId, string caller, long revision);

    [LoggerMessage(60, LogLevel.Warning,
        "Account {AccountId}: {Count} nodes do not reach root within 32 groups (a missing parent, a cycle, or a tree deeper "
        + "than 32, which an older version accepted); no group grant reaches them or the nodes below them: {NodeIds}")]
    public static partial void NodesCutOffFromRoot(ILogger logger, string accountId, int count, string nodeIds);
}
