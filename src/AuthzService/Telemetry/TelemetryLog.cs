namespace Qbee.Authz.Service.Telemetry;

/// <summary>The log lines of the metrics and trace exporters, source-generated; the event ids are listed in docs/EVENT-IDS.md.</summary>
internal static partial class TelemetryLog
{
    [LoggerMessage(50, LogLevel.Information, "Metrics: Prometheus scrape endpoint at {Url}/metrics (plain HTTP, no token)")]
    public static partial void PrometheusEndpoint(ILogger logger, string url);

    [LoggerMessage(51, LogLevel.Information, "Telemetry: exporting metrics and traces over OTLP to {Endpoint}")]
    public static partial void OtlpExport(ILogger logger, string endpoint);
}
