using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Qbee.Authz.Client;

internal static partial class ClientLog
{
    [LoggerMessage(1, LogLevel.Warning, "Revocation watch of {AccountId} broke ({StatusCode}: {Detail}); reconnecting after revision {Revision} in {DelayMs} ms")]
    public static partial void WatchBroken(ILogger logger, string accountId, StatusCode statusCode, string detail, ulong revision, double delayMs);

    [LoggerMessage(2, LogLevel.Debug, "Revocation watch of {AccountId} connected after revision {Revision}")]
    public static partial void WatchConnecting(ILogger logger, string accountId, ulong revision);

    [LoggerMessage(3, LogLevel.Error, "A revocation handler of {AccountId} failed")]
    public static partial void RevocationHandlerFailed(ILogger logger, Exception exception, string accountId);

    [LoggerMessage(4, LogLevel.Error, "Revocation watch of {AccountId} refused ({StatusCode}: {Detail}); retrying after revision {Revision} in {DelayMs} ms, meanwhile open sessions are re-checked and cached answers are not used")]
    public static partial void WatchRefused(ILogger logger, string accountId, StatusCode statusCode, string detail, ulong revision, double delayMs);

    [LoggerMessage(5, LogLevel.Error, "Revocation watch of {AccountId} failed; the next subscription starts it again")]
    public static partial void WatchFailed(ILogger logger, Exception exception, string accountId);

    [LoggerMessage(10, LogLevel.Warning, "Denied {Permission} to {UserId}: the authorization service failed ({StatusCode}: {Detail}); failing closed")]
    public static partial void CheckFailedClosed(ILogger logger, string userId, string permission, StatusCode statusCode, string detail);

    [LoggerMessage(11, LogLevel.Warning, "Denied {Permission}: the user has no '{ClaimType}' claim")]
    public static partial void NoUserClaim(ILogger logger, string permission, string claimType);

    [LoggerMessage(12, LogLevel.Warning, "Denied {Permission}: the route has no value '{RouteValue}' for the device")]
    public static partial void NoDeviceRouteValue(ILogger logger, string permission, string routeValue);

    [LoggerMessage(13, LogLevel.Information, "Denied {Permission} on {DeviceId} to {UserId}: {Reason} ({Message})")]
    public static partial void Denied(ILogger logger, string userId, string permission, string deviceId, Qbee.Authz.V1.DecisionReason reason, string message);

    [LoggerMessage(14, LogLevel.Information, "Denied {Permission} to {UserId}: granted on some devices only, and the endpoint names no device nor accepts a restricted grant (AllowRestricted)")]
    public static partial void DeniedRestricted(ILogger logger, string userId, string permission);

    [LoggerMessage(20, LogLevel.Information, "Remote-access session {SessionId} of {UserId} on {DeviceId} cut: {Reason}")]
    public static partial void SessionCut(ILogger logger, long sessionId, string userId, string deviceId, string reason);

    [LoggerMessage(21, LogLevel.Warning, "Re-check of session {SessionId} of {UserId} failed ({StatusCode}); cutting it (fail closed)")]
    public static partial void SessionRecheckFailed(ILogger logger, long sessionId, string userId, StatusCode statusCode);

    [LoggerMessage(22, LogLevel.Warning, "Re-check of session {SessionId} of {UserId} failed ({StatusCode}) while the revocation watch is down; unconfirmed for {UnconfirmedSeconds:F0} s, kept within the grace")]
    public static partial void SessionRecheckFailedWithinGrace(ILogger logger, long sessionId, string userId, StatusCode statusCode, double unconfirmedSeconds);
}
