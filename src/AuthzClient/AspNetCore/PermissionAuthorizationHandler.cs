using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace Qbee.Authz.Client.AspNetCore;

/// <summary>
/// Succeeds a <see cref="PermissionRequirement"/> when Qbee.Authz allows it. The user id comes from the claim
/// <see cref="AuthzClientOptions.UserClaimType"/>; a missing claim, a missing device route value or an error from the
/// service denies (fail closed) and is logged. A refusal carries its <see cref="PermissionDenial"/>
/// (<see cref="PermissionFailureReason"/>), which <see cref="PermissionProblemResultHandler"/> writes as the 403's body.
/// </summary>
internal sealed class PermissionAuthorizationHandler(PermissionEvaluator evaluator) : AuthorizationHandler<PermissionRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        var verdict = await evaluator.EvaluateAsync(context.User, context.Resource as HttpContext, requirement).ConfigureAwait(false);
        if (verdict.Outcome == PermissionOutcome.Allowed)
        {
            context.Succeed(requirement);
        }
        else if (verdict.Denial is { } denial)
        {
            context.Fail(new PermissionFailureReason(this, denial));
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, $"{requirement}: {verdict.Outcome}"));
        }
    }
}
