using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Qbee.Authz.Service.Telemetry;

internal static class TelemetryExtensions
{
    /// <summary>The instruments the checks and the refresher record to; nothing exports them yet.</summary>
    public static IServiceCollection AddTelemetry(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<AuthzMetrics>();
        return services;
    }

    /// <summary>
    /// OpenTelemetry export (Authz:Telemetry): OTLP for metrics and traces, a Prometheus scrape endpoint on its
    /// own port. Called once the configuration is complete, because it decides which exporters and endpoints
    /// exist. With neither configured, no MeterProvider exists and the instruments stay disabled.
    /// <paramref name="defaultUrl"/> is the service's URL when none is configured.
    /// </summary>
    public static WebApplicationBuilder AddTelemetryExport(this WebApplicationBuilder builder, string defaultUrl)
    {
        var options = TelemetryOptions.From(builder.Configuration);
        var endpoint = MetricsEndpoint.Plan(builder.Configuration, options.PrometheusPort, defaultUrl);
        builder.Services.AddSingleton(endpoint);
        builder.Services.AddOptions<TelemetryOptions>().Bind(builder.Configuration.GetSection(TelemetryOptions.SectionName)).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>());

        var otlp = options.OtlpUri;
        if (otlp is null)
        {
            WithoutRequestActivity(builder.Configuration);
        }

        if (otlp is null && endpoint.Port == 0)
        {
            return builder;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("qbee-authz", serviceVersion: typeof(AuthzMetrics).Assembly.GetName().Version?.ToString()));
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter(AuthzMetrics.MeterName).AddRuntimeInstrumentation();
            if (endpoint.Port > 0)
            {
                metrics.AddPrometheusExporter();
            }

            if (otlp is not null)
            {
                metrics.AddOtlpExporter(o => o.Endpoint = otlp);
            }
        });

        // No ASP.NET Core instrumentation: a span (and its tags) per request would be paid by every Check.
        if (otlp is not null)
        {
            telemetry.WithTracing(tracing => tracing.AddSource(AuthzActivities.SourceName).AddOtlpExporter(o => o.Endpoint = otlp));
        }

        if (endpoint.Port > 0)
        {
            endpoint.Listen(builder);
        }

        return builder;
    }

    /// <summary>
    /// ASP.NET Core starts an Activity and a log scope for every request whenever its hosting logger is on at any
    /// level, even with nothing listening: ~4% of a Check's CPU (perf, issue 18). Without traces exported nothing
    /// reads them (the log scopes are not printed), so that logger is off unless configured; with OTLP on it stays,
    /// and the admin write spans keep the caller's trace as parent. Lowest priority: any Logging setting wins.
    /// </summary>
    private static void WithoutRequestActivity(IConfigurationBuilder configuration) =>
        configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "None" },
        });

    /// <summary>GET /metrics, answered on the scrape port only; nothing else is served there.</summary>
    public static WebApplication MapTelemetry(this WebApplication app)
    {
        var endpoint = app.Services.GetRequiredService<MetricsEndpoint>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TelemetryExtensions));
        var otlp = TelemetryOptions.From(app.Configuration).OtlpUri;
        if (otlp is not null)
        {
            TelemetryLog.OtlpExport(logger, otlp.ToString());
        }

        if (endpoint.Port == 0)
        {
            return app;
        }

        // Matched by the connection's local port, not by the Host header (which the client writes): /metrics
        // asked on the gRPC port is 404, and this branch costs the gRPC requests nothing.
        var port = endpoint.Port;
        app.MapPrometheusScrapingEndpoint(MetricsEndpoint.Path, meterProvider: null, configureBranchedPipeline: branch => branch.Use((context, next) =>
        {
            if (context.Connection.LocalPort == port)
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }), optionsName: null);
        TelemetryLog.PrometheusEndpoint(logger, endpoint.Url);
        return app;
    }
}

/// <summary>
/// The scrape endpoint, planned while the host is built: a plain HTTP/1.1 listener on the host of the
/// service's first URL (so it is loopback exactly when the service is, and the loopback guard sees it), at
/// Authz:Telemetry:PrometheusPort.
/// </summary>
internal sealed class MetricsEndpoint(int port, string url, IReadOnlyList<int> servicePorts)
{
    public const string Path = "/metrics";
    private const string EndpointsSection = "Kestrel:Endpoints";

    /// <summary>0: no scrape endpoint.</summary>
    public int Port => port;

    public string Url => url;

    /// <summary>The fixed ports of the service's own URLs, before the scrape endpoint joined them.</summary>
    public IReadOnlyList<int> ServicePorts => servicePorts;

    public static MetricsEndpoint Plan(IConfiguration configuration, int requestedPort, string defaultUrl)
    {
        var serviceUrls = ServiceUrls(configuration).ToList();
        var servicePorts = serviceUrls.Select(PortOf).Where(p => p > 0).ToList();
        if (requestedPort is <= 0 or > IPEndPoint.MaxPort || servicePorts.Contains(requestedPort))
        {
            // Off, or invalid: the options validator stops the start-up with the reason.
            return new MetricsEndpoint(0, string.Empty, servicePorts);
        }

        return new MetricsEndpoint(requestedPort, $"http://{HostOf(serviceUrls.FirstOrDefault() ?? defaultUrl)}:{requestedPort}", servicePorts);
    }

    /// <summary>The URLs the service listens on: Kestrel:Endpoints when any are configured (they win over urls), else urls.</summary>
    public static IEnumerable<string> ServiceUrls(IConfiguration configuration)
    {
        var endpoints = configuration.GetSection(EndpointsSection).GetChildren().Select(e => e["Url"]).OfType<string>().ToList();
        return endpoints.Count > 0
            ? endpoints
            : (configuration[WebHostDefaults.ServerUrlsKey] ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>
    /// Adds the listener beside the service's: Kestrel binds either the urls or its configured endpoints, never
    /// both, so the scrape URL joins whichever is in use. Endpoint defaults make the service's endpoints h2c;
    /// this one speaks HTTP/1.1, which a scraper speaks and a gRPC client cannot.
    /// </summary>
    public void Listen(WebApplicationBuilder builder)
    {
        if (builder.Configuration.GetSection(EndpointsSection).GetChildren().Any())
        {
            builder.Configuration[$"{EndpointsSection}:Metrics:Url"] = url;
            builder.Configuration[$"{EndpointsSection}:Metrics:Protocols"] = nameof(HttpProtocols.Http1);
        }
        else
        {
            builder.WebHost.UseUrls([.. ServiceUrls(builder.Configuration), url]);
            builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.ConfigureEndpointDefaults(listen =>
            {
                if (listen.IPEndPoint?.Port == port)
                {
                    listen.Protocols = HttpProtocols.Http1;
                }
            }));
        }
    }

    private static int PortOf(string url)
    {
        try
        {
            return BindingAddress.Parse(url).Port;
        }
        catch (FormatException)
        {
            return 0;
        }
    }

    private static string HostOf(string url)
    {
        try
        {
            var address = BindingAddress.Parse(url);
            return address.IsUnixPipe ? "127.0.0.1" : address.Host;
        }
        catch (FormatException)
        {
            return "127.0.0.1";
        }
    }
}
