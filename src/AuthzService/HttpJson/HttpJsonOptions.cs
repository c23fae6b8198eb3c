namespace Qbee.Authz.Service.HttpJson;

/// <summary>
/// Where HTTP/JSON callers connect besides the gRPC port (section Authz:Http). The gRPC port serves the same
/// routes, but in cleartext it speaks only HTTP/2 (h2c with prior knowledge): Kestrel cannot offer HTTP/1.1 and h2c
/// on one cleartext port, so callers that speak HTTP/1.1 (curl, most HTTP libraries) need a listener of their own.
/// </summary>
internal sealed class HttpJsonOptions
{
    public const string SectionName = "Authz:Http";

    /// <summary>
    /// URLs separated by ';' (as ASPNETCORE_URLS), each with a fixed port: http ones speak HTTP/1.1, https ones
    /// HTTP/1.1 and HTTP/2 (ALPN). Empty: none.
    /// </summary>
    public string Urls { get; set; } = string.Empty;

    /// <summary>Read straight from configuration: the listeners are planned while the host is built.</summary>
    public static HttpJsonOptions From(IConfiguration configuration) =>
        configuration.GetSection(SectionName).Get<HttpJsonOptions>() ?? new HttpJsonOptions();

    public IReadOnlyList<string> UrlList => Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
