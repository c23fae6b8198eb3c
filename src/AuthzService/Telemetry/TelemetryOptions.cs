using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Qbee.Authz.Service.Telemetry;

/// <summary>
/// Where metrics and traces go (section Authz:Telemetry). Both off by default: then no exporter listens and
/// the instruments cost a flag test per check.
/// </summary>
internal sealed class TelemetryOptions
{
    public const string SectionName = "Authz:Telemetry";

    /// <summary>An OTLP/gRPC collector (http://collector:4317): metrics and traces are pushed there. Empty: none.</summary>
    public string OtlpEndpoint { get; set; } = string.Empty;

    /// <summary>A plain HTTP/1.1 port, on the host of the service's URL, that serves only GET /metrics. 0: none.</summary>
    public int PrometheusPort { get; set; }

    /// <summary>The OTLP endpoint as a URI; null when empty or not an absolute http(s) URI (the validator says which).</summary>
    public Uri? OtlpUri =>
        Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? uri : null;

    /// <summary>Read straight from configuration: whether to export is decided while the host is built.</summary>
    public static TelemetryOptions From(IConfiguration configuration) =>
        configuration.GetSection(SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
}

/// <summary>Stops the service at start-up on an endpoint it could not export to or a port it could not serve.</summary>
internal sealed class TelemetryOptionsValidator(MetricsEndpoint endpoint) : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        var failures = new List<string>();
        if (options.OtlpEndpoint.Length > 0 && options.OtlpUri is null)
        {
            failures.Add($"{TelemetryOptions.SectionName}:OtlpEndpoint must be an absolute http or https URI (an OTLP/gRPC collector, e.g. http://otel-collector:4317), or empty for none.");
        }

        if (options.PrometheusPort is < 0 or > IPEndPoint.MaxPort)
        {
            failures.Add($"{TelemetryOptions.SectionName}:PrometheusPort must be 1..{IPEndPoint.MaxPort}, or 0 for no scrape endpoint.");
        }
        else if (options.PrometheusPort > 0 && endpoint.ServicePorts.Contains(options.PrometheusPort))
        {
            failures.Add($"{TelemetryOptions.SectionName}:PrometheusPort {options.PrometheusPort} is the port of the gRPC service: the scrape endpoint needs its own.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
