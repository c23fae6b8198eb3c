using Microsoft.AspNetCore.Server.Kestrel.Core;
using Qbee.Authz.Service.Telemetry;

namespace Qbee.Authz.Service.HttpJson;

/// <summary>
/// The HTTP/1.1 listeners of Authz:Http:Urls, planned while the host is built. They join the service's own URLs
/// (so the loopback guard sees them), speak HTTP/1.1 (https: HTTP/1.1 and HTTP/2 by ALPN), and serve the same
/// endpoints as the gRPC port: a gRPC client cannot use them (it needs HTTP/2), an HTTP/JSON caller can.
/// </summary>
internal sealed class HttpJsonListeners(IReadOnlyList<string> urls, IReadOnlyList<int> servicePorts, int metricsPort)
{
    private const string EndpointsSection = "Kestrel:Endpoints";

    /// <summary>Empty: no listener of its own (the options validator stops a bad list at start).</summary>
    public IReadOnlyList<string> Urls => urls;

    /// <summary>The fixed ports already taken: the service's URLs and the scrape port.</summary>
    public IReadOnlyList<int> TakenPorts => servicePorts.Append(metricsPort).Where(p => p > 0).ToList();

    public static HttpJsonListeners Plan(IConfiguration configuration, MetricsEndpoint metrics)
    {
        var servicePorts = metrics.ServicePorts;
        var requested = HttpJsonOptions.From(configuration).UrlList;
        var valid = requested.Count > 0 && HttpJsonOptionsValidator.Problems(requested, servicePorts.Append(metrics.Port).Where(p => p > 0).ToList()).Count == 0;
        return new HttpJsonListeners(valid ? requested : [], servicePorts, metrics.Port);
    }

    /// <summary>
    /// Adds the listeners: Kestrel binds either the urls or its configured endpoints, never both, so they join
    /// whichever is in use. Endpoint defaults make every URL h2c; these are set to HTTP/1.1 by port.
    /// </summary>
    public void Listen(WebApplicationBuilder builder)
    {
        if (urls.Count == 0)
        {
            return;
        }

        if (builder.Configuration.GetSection(EndpointsSection).GetChildren().Any())
        {
            for (var i = 0; i < urls.Count; i++)
            {
                builder.Configuration[$"{EndpointsSection}:HttpJson{i}:Url"] = urls[i];
                builder.Configuration[$"{EndpointsSection}:HttpJson{i}:Protocols"] = ProtocolsOf(urls[i]).ToString();
            }

            return;
        }

        var protocols = urls.GroupBy(u => BindingAddress.Parse(u).Port).ToDictionary(g => g.Key, g => ProtocolsOf(g.First()));
        builder.WebHost.UseUrls([.. MetricsEndpoint.ServiceUrls(builder.Configuration), .. urls]);
        // ConfigureEndpointDefaults replaces the callback set before it (the scrape port's), so this one keeps that
        // port on HTTP/1.1 too.
        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.ConfigureEndpointDefaults(listen =>
        {
            var port = listen.IPEndPoint?.Port ?? 0;
            if (protocols.TryGetValue(port, out var http))
            {
                listen.Protocols = http;
            }
            else if (port > 0 && port == metricsPort)
            {
                listen.Protocols = HttpProtocols.Http1;
            }
        }));
    }

    private static HttpProtocols ProtocolsOf(string url) =>
        url.StartsWith("https:", StringComparison.OrdinalIgnoreCase) ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
}
