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

/// <summary>
/// The check shared by the authorization handler and the endpoint filter: fails closed on any error, and denies a
/// restricted grant to a requirement without a device unless it accepts one.
/// </summary>
internal sealed class PermissionEvaluator(IAuthzClient client, IOptions<AuthzClientOptions> options, ILogger<PermissionEvaluator> logger)
{
    public async Task<PermissionOutcome> EvaluateAsync(ClaimsPrincipal principal, HttpContext? http, PermissionRequirement requirement)
    {
        var settings = options.Value;
        var userId = principal.Identity?.IsAuthenticated == true ? principal.FindFirst(settings.UserClaimType)?.Value : null;
        if (string.IsNullOrEmpty(userId))
        {
            ClientLog.NoUserClaim(logger, requirement.Permission, settings.UserClaimType);
            return PermissionOutcome.NoUser;
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
                ClientLog.NoDeviceRouteValue(logger, requirement.Permission, routeValue);
                return PermissionOutcome.Failed;
            }
        }

        try
        {
            var decision = await client.CheckAsync(userId, requirement.Permission, deviceId, cancellationToken: http?.RequestAborted ?? default).ConfigureAwait(false);
            if (decision.Allowed && decision.Restricted && deviceId is null && !requirement.AllowRestricted)
            {
                // Granted on some devices only, and the endpoint names none: it might act on any of them.
                ClientLog.DeniedRestricted(logger, userId, requirement.Permission);
                return PermissionOutcome.Denied;
            }

            if (decision.Allowed)
            {
                return PermissionOutcome.Allowed;
            }

            ClientLog.Denied(logger, userId, requirement.Permission, decision.Reason, decision.Message);
            return PermissionOutcome.Denied;
        }
        catch (RpcException e)
        {
            ClientLog.CheckFailedClosed(logger, userId, requirement.Permission, e.StatusCode, e.Status.Detail);
            return PermissionOutcome.Failed;
        }
    }
}
