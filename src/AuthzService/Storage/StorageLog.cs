namespace Qbee.Authz.Service.Storage;

/// <summary>The log lines of the store's background work, source-generated; the event ids are listed in docs/EVENT-IDS.md.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(110, LogLevel.Information, "Change log retention: deleted {Count} change sets committed before {Cutoff:O} (the newest {KeepRevisions} of each account kept)")]
    public static partial void ChangeLogPurged(ILogger logger, long count, DateTimeOffset cutoff, int keepRevisions);

    [LoggerMessage(111, LogLevel.Error, "Change log retention: deleting old change sets failed; retrying at the next round")]
    public static partial void ChangeLogPurgeFailed(ILogger logger, Exception exception);
}
