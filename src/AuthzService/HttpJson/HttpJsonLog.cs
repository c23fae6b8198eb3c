namespace Qbee.Authz.Service.HttpJson;

/// <summary>The log lines of the HTTP/JSON surface, source-generated; the event ids are listed in docs/EVENT-IDS.md.</summary>
internal static partial class HttpJsonLog
{
    [LoggerMessage(130, LogLevel.Information, "HTTP/JSON: HTTP/1.1 on {Urls}; OpenAPI at {Path}")]
    public static partial void Listening(ILogger logger, string urls, string path);

    [LoggerMessage(131, LogLevel.Information, "HTTP/JSON: on the gRPC port only, where cleartext is HTTP/2 only (curl --http2-prior-knowledge); Authz:Http:Urls adds HTTP/1.1 listeners. OpenAPI at {Path}")]
    public static partial void GrpcPortOnly(ILogger logger, string path);
}
