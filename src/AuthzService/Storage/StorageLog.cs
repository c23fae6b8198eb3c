namespace Qbee.Authz.Service.Storage;

/// <summary>The log lines of the store, source-generated; the event ids are listed in docs/EVENT-IDS.md.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(1, LogLevel.Information, "Store ready: {Provider}, schema version {Version}")]
    public static partial void StoreReady(ILogger logger, string provider, int version);
}
