using Microsoft.AspNetCore.Authorization;

namespace Qbee.Authz.Client.AspNetCore;

/// <summary>A <see cref="PermissionRequirement"/> refused, with the <see cref="PermissionDenial"/> that says why.</summary>
/// <param name="handler">The handler that refused it.</param>
/// <param name="denial">Why.</param>
public sealed class PermissionFailureReason(IAuthorizationHandler handler, PermissionDenial denial)
    : AuthorizationFailureReason(handler, $"Qbee.Authz {denial.Permission}: {denial.Reason}")
{
    /// <summary>Why the permission was refused.</summary>
    public PermissionDenial Denial { get; } = denial;
}
