namespace Qbee.Authz.Service.Snapshots;

/// <summary>The log lines of the snapshots: loading, Redis, revision sync, staleness, source-generated; the event ids are listed in docs/EVENT-IDS.md.</summary>
internal static partial class SnapshotsLog
{
    [LoggerMessage(2, LogLevel.Information, "Loaded {Accounts} account snapshots in {ElapsedMs:F1} ms")]
    public static partial void SnapshotsLoaded(ILogger logger, int accounts, double elapsedMs);

    [LoggerMessage(3, LogLevel.Debug, "Snapshot of {AccountId} at revision {Revision}: {Devices} devices, {Users} users, built in {ElapsedMs:F1} ms")]
    public static partial void SnapshotBuilt(ILogger logger, string accountId, long revision, int devices, int users, double elapsedMs);

    [LoggerMessage(4, LogLevel.Warning, "Account {AccountId}: a stored grant is left out of the snapshot (it grants nothing): {Reason}")]
    public static partial void ResourceSkipped(ILogger logger, string accountId, string reason);

    [LoggerMessage(30, LogLevel.Warning, "Redis connection to {Endpoint} failed ({Failure}): answering from memory, converging through SQL until it is back")]
    public static partial void RedisConnectionFailed(ILogger logger, string endpoint, string failure);

    [LoggerMessage(31, LogLevel.Information, "Redis connection to {Endpoint} restored")]
    public static partial void RedisConnectionRestored(ILogger logger, string endpoint);

    [LoggerMessage(32, LogLevel.Warning, "Redis failed while syncing account {AccountId}; using SQL instead")]
    public static partial void RedisSyncFailed(ILogger logger, Exception exception, string accountId);

    [LoggerMessage(33, LogLevel.Warning, "Revision sync failed; retrying at the next poll")]
    public static partial void SyncFailed(ILogger logger, Exception exception);

    [LoggerMessage(35, LogLevel.Debug, "Account {AccountId} at revision {Revision} loaded from {Source}")]
    public static partial void SnapshotSource(ILogger logger, string accountId, long revision, string source);

    [LoggerMessage(36, LogLevel.Error, "Account {AccountId} could not be loaded; its users are denied (not found) until it can")]
    public static partial void AccountLoadFailed(ILogger logger, Exception exception, string accountId);

    [LoggerMessage(40, LogLevel.Debug, "Account {AccountId}: applied {Count} change sets onto revision {FromRevision}, now at {Revision} ({FromRedis} from Redis, the rest from the store's change log) in {ElapsedMs:F1} ms")]
    public static partial void ChangeSetsApplied(ILogger logger, string accountId, int count, long fromRevision, long revision, int fromRedis, double elapsedMs);

    [LoggerMessage(41, LogLevel.Warning, "Account {AccountId}: the change set of revision {Revision} could not be applied onto the snapshot held; loading the account whole")]
    public static partial void PatchFailed(ILogger logger, Exception exception, string accountId, long revision);

    [LoggerMessage(42, LogLevel.Debug, "Account {AccountId}: compacted snapshot at revision {Revision} written to Redis, its change stream trimmed below it, in {ElapsedMs:F1} ms")]
    public static partial void SnapshotCompacted(ILogger logger, string accountId, long revision, double elapsedMs);

    [LoggerMessage(43, LogLevel.Warning, "Account {AccountId}: compacting its data in Redis failed; retried at a later write")]
    public static partial void CompactionFailed(ILogger logger, Exception exception, string accountId);

    [LoggerMessage(60, LogLevel.Warning,
        "Account {AccountId}: {Count} nodes do not reach root within 32 groups (a missing parent, a cycle, or a tree deeper "
        + "than 32, which an older version accepted); no group grant reaches them or the nodes below them: {NodeIds}")]
    public static partial void NodesCutOffFromRoot(ILogger logger, string accountId, int count, string nodeIds);

    [LoggerMessage(80, LogLevel.Warning, "Account {AccountId}: Redis holds version {RedisVersion}, which the store does not have (it is at {StoreVersion}; restored from an older copy, or Redis shared with another store): serving the store's version and overwriting Redis's")]
    public static partial void RedisDiffersFromStore(ILogger logger, string accountId, string redisVersion, string storeVersion);

    [LoggerMessage(81, LogLevel.Warning, "Account {AccountId}: this replica's snapshot at version {HeldVersion} is not in the store (it is at {StoreVersion}): replaced with the store's, every user's rights may have changed")]
    public static partial void SnapshotReplaced(ILogger logger, string accountId, string heldVersion, string storeVersion);

    [LoggerMessage(82, LogLevel.Warning, "Account {AccountId} not confirmed current with the store for {AgeSeconds:F0} s (Authz:Sync:MaxStaleness {MaxSeconds:F0} s): AuthorizationService health is NOT_SERVING; checks keep answering from the snapshot held")]
    public static partial void AccountStale(ILogger logger, string accountId, double ageSeconds, double maxSeconds);

    [LoggerMessage(83, LogLevel.Information, "Account {AccountId} confirmed current with the store again")]
    public static partial void AccountConfirmedAgain(ILogger logger, string accountId);

    [LoggerMessage(184, LogLevel.Information, "User index loaded: {Users} users of {Accounts} accounts in {ElapsedMs:F0} ms (accounts load on demand, Authz:Snapshots:Preload)")]
    public static partial void UserIndexLoaded(ILogger logger, int users, int accounts, double elapsedMs);

    [LoggerMessage(185, LogLevel.Information, "Account {AccountId} loaded on demand at revision {Revision}: {Bytes} bytes, in {ElapsedMs:F1} ms")]
    public static partial void AccountLoadedOnDemand(ILogger logger, string accountId, long revision, long bytes, double elapsedMs);

    [LoggerMessage(186, LogLevel.Information, "Account {AccountId} evicted ({Bytes} bytes): the snapshots held are now {HeldBytes} bytes, the budget {BudgetBytes} (Authz:Snapshots:MemoryBudget)")]
    public static partial void AccountEvicted(ILogger logger, string accountId, long bytes, long heldBytes, long budgetBytes);
}
