namespace Qbee.Authz.Service.Hosting;

/// <summary>The log lines of start-up, source-generated; the event ids are listed in docs/EVENT-IDS.md.</summary>
internal static partial class HostingLog
{
    /// <summary>Host: the process's launch to the initializer (runtime, configuration, DI, gRPC/JSON routes); JIT: methods so far.</summary>
    [LoggerMessage(8, LogLevel.Information, "Serving after start-up in {ElapsedMs:F0} ms (host {HostMs:F0} ms, store and Redis {StoreMs:F0} ms, snapshots {SnapshotsMs:F0} ms; {JitMethods} methods JIT-compiled)")]
    public static partial void Started(ILogger logger, double elapsedMs, double hostMs, double storeMs, double snapshotsMs, long jitMethods);

    [LoggerMessage(16, LogLevel.Information, "Store {Provider} at {Location}, schema up to date")]
    public static partial void StoreReady(ILogger logger, string provider, string location);

    [LoggerMessage(9, LogLevel.Error, "Start-up failed: {Reason}")]
    public static partial void StartupFailed(ILogger logger, Exception exception, string reason);
}
