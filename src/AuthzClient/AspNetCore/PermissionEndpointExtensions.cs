using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Qbee.Authz.Client.AspNetCore;

/// <summary>The endpoint filter for minimal APIs that checks a permission before the handler runs.</summary>
public static class PermissionEndpointExtensions
{
    /// <summary>
    /// Checks <paramref name="permission"/> (on the device in route value <paramref name="deviceRouteValue"/>, when
    /// given) for the request's user before the handler runs: 401 without a user, 403 when denied, when the service
    /// fails (fail closed, logged), or, without a device, when the user holds it on some devices only and
    /// <paramref name="allowRestricted"/> is not set. A 403 carries the <see cref="PermissionDenial"/> as problem details. An alternative to <see cref="RequirePermissionAttribute"/> that needs no
    /// authorization middleware, only authentication.
    /// </summary>
    /// <typeparam name="TBuilder">An endpoint or a route group.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <param name="permission">A permission of the catalogue, e.g. <c>device:read</c>.</param>
    /// <param name="deviceRouteValue">The route value that holds the device id; null: no device.</param>
    /// <param name="allowRestricted">
    /// Without a device: also admit a user who holds the permission on some devices only (see
    /// <see cref="RequirePermissionAttribute.AllowRestricted"/>); the handler must then limit itself to the user's scope.
    /// </param>
    /// <returns>The builder, for chaining.</returns>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission, string? deviceRouteValue = null, bool allowRestricted = false)
        where TBuilder : IEndpointConventionBuilder
    {
        var requirement = new PermissionRequirement(permission, deviceRouteValue) { AllowRestricted = allowRestricted };
        return builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var evaluator = http.RequestServices.GetRequiredService<PermissionEvaluator>();
            var verdict = await evaluator.EvaluateAsync(http.User, http, requirement).ConfigureAwait(false);
            return verdict.Outcome switch
            {
                PermissionOutcome.Allowed => await next(context).ConfigureAwait(false),
                PermissionOutcome.NoUser => Results.Unauthorized(),
                _ when verdict.Denial is { } denial => Results.Problem(denial.ToProblemDetails()),
                _ => Results.StatusCode(StatusCodes.Status403Forbidden),
            };
        });
    }
}
