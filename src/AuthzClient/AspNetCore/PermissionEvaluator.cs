using System.Security.Claims;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Qbee.Authz.Client.AspNetCore;

internal enum PermissionOutcome
{
    Allowed,
    Denied,
    NoUser,
    Failed,
}

/// <summary>The evaluator's answer: the outcome and, when refused for a reason the caller may see, why.</summary>
internal readonly record struct PermissionVerdict(PermissionOutcome Outcome, PermissionDenial? Denial = null)
{
    public static PermissionVerdict Allowed => new(PermissionOutcome.Allowed);

    public static PermissionVerdict NoUser => new(PermissionOutcome.NoUser);
}

/// <summary>
/// The check shared by the authorization handler and the endpoint filter: fails closed on any error, and denies a
/// restricted grant to a requirement without a device unless it accepts one.
/// </summary>
internal sealed class PermissionEvaluator(IAuthzClient client, IOptions<AuthzClientOptions> options, ILogger<PermissionEvaluator> logger)
{
    public async Task<PermissionVerdict> EvaluateAsync(ClaimsPrincipal principal, HttpContext? http, PermissionRequirement requirement)
    {
        var settings = options.Value;
        var permission = requirement.Permission;
        var userId = principal.Identity?.IsAuthenticated == true ? principal.FindFirst(settings.UserClaimType)?.Value : null;
        if (string.IsNullOrEmpty(userId))
        {
            ClientLog.NoUserClaim(logger, permission, settings.UserClaimType);
            return PermissionVerdict.NoUser;
        }

        if (settings.AccountClaimType is { } accountClaim && principal.FindFirst(accountClaim)?.Value is { Length: > 0 } accountId)
        {
            client.RememberUserAccount(userId, accountId);
        }

        string? deviceId = null;
        if (requirement.DeviceRouteValue is { } routeValue)
        {
            deviceId = http?.Request.RouteValues[routeValue]?.ToString();
            if (string.IsNullOrEmpty(deviceId))
            {
                ClientLog.NoDeviceRouteValue(logger, permission, routeValue);
                return Refused(PermissionOutcome.Failed, permission, null, PermissionDenial.NoDeviceRouteValue, $"the route has no value '{routeValue}' for the device");
            }
        }

        try
        {
            var decision = await client.CheckAsync(userId, permission, deviceId, cancellationToken: http?.RequestAborted ?? default).ConfigureAwait(false);
            if (decision.Allowed && decision.Restricted && deviceId is null && !requirement.AllowRestricted)
            {
                // Granted on some devices only, and the endpoint names none: it might act on any of them.
                ClientLog.DeniedRestricted(logger, userId, permission);
                return Refused(PermissionOutcome.Denied, permission, null, PermissionDenial.Restricted, $"{permission} is granted on some devices only, and this endpoint needs it on every device");
            }

            if (decision.Allowed)
            {
                return PermissionVerdict.Allowed;
            }

            ClientLog.Denied(logger, userId, permission, deviceId ?? "(none)", decision.Reason, decision.Message);
            return Refused(PermissionOutcome.Denied, permission, deviceId, decision.Reason.ToString(), decision.Message);
        }
        catch (RpcException e)
        {
            ClientLog.CheckFailedClosed(logger, userId, permission, e.StatusCode, e.Status.Detail);
            return Refused(PermissionOutcome.Failed, permission, deviceId, PermissionDenial.ServiceFailed, $"the authorization service could not answer ({e.StatusCode}); denied (fail closed)");
        }
    }

    private static PermissionVerdict Refused(PermissionOutcome outcome, string permission, string? deviceId, string reason, string detail) =>
        new(outcome, new PermissionDenial(permission, deviceId, reason, detail));
}
