namespace Qbee.Authz.Service.Security;

/// <summary>The log lines of the callers and the loopback guard, source-generated; the event ids are listed in docs/EVENT-IDS.md.</summary>
internal static partial class SecurityLog
{
    [LoggerMessage(11, LogLevel.Warning, "No callers are configured (Authz:Callers): calls are served without a token, over loopback only")]
    public static partial void NoCallersLoopbackOnly(ILogger logger);

    [LoggerMessage(12, LogLevel.Information, "{Count} callers configured: every AuthorizationService and AdminService call needs a bearer token")]
    public static partial void CallersConfigured(ILogger logger, int count);

    [LoggerMessage(13, LogLevel.Critical, "{Message}")]
    public static partial void ExposedWithoutCallers(ILogger logger, string message);
}
