using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace Qbee.Authz.Client.AspNetCore;

/// <summary>
/// The authorization middleware's answer when <see cref="RequirePermissionAttribute"/> (or a
/// <see cref="PermissionRequirement"/> policy) refuses a user: 403 with the <see cref="PermissionDenial"/> as problem
/// details instead of an empty body. Everything else (a challenge, another requirement's failure, success) is the
/// default handler's. Registered by <c>AddQbeeAuthzClient</c> unless the app has a handler of its own.
/// </summary>
public sealed class PermissionProblemResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    /// <inheritdoc />
    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(authorizeResult);
        if (authorizeResult.Forbidden && authorizeResult.AuthorizationFailure?.FailureReasons.OfType<PermissionFailureReason>().FirstOrDefault() is { } failure)
        {
            return Results.Problem(failure.Denial.ToProblemDetails()).ExecuteAsync(context);
        }

        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
