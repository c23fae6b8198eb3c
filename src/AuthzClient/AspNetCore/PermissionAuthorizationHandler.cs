using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace Qbee.Authz.Client.AspNetCore;

/// <summary>
/// Succeeds a <see cref="PermissionRequirement"/> when Qbee.Authz allows it. The user id comes from the claim
/// <see cref="AuthzClientOptions.UserClaimType"/>; a missing claim, a missing device route value or an error from the
/// service denies (fail closed) and is logged.
/// </summary>
internal sealed class PermissionAuthorizationHandler(PermissionEvaluator evaluator) : AuthorizationHandler<PermissionRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        var outcome = await evaluator.EvaluateAsync(context.User, context.Resource as HttpContext, requirement).ConfigureAwait(false);
        if (outcome == PermissionOutcome.Allowed)
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, $"{requirement}: {outcome}"));
        }
    }
}
