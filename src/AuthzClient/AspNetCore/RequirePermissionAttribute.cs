using Microsoft.AspNetCore.Authorization;

namespace Qbee.Authz.Client.AspNetCore;

/// <summary>
/// Requires an authenticated user who holds <see cref="Permission"/> (on the device named by the route value
/// <see cref="DeviceRouteValue"/>, when set), as Qbee.Authz answers it. Works on controllers, actions and minimal-API
/// handlers: <c>[RequirePermission("device:read", DeviceRouteValue = "deviceId")]</c>.
/// </summary>
/// <param name="permission">A permission of the catalogue, e.g. <c>device:read</c>.</param>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class RequirePermissionAttribute(string permission) : AuthorizeAttribute, IAuthorizationRequirementData
{
    /// <summary>The permission required.</summary>
    public string Permission { get; } = permission;

    /// <summary>The route value that holds the device id; null: the check names no device.</summary>
    public string? DeviceRouteValue { get; set; }

    /// <summary>
    /// Without a device: also admits a user who holds the permission on some devices only (a <c>restricted</c>
    /// answer). Set it only where the endpoint itself limits what it touches to the user's scope (e.g. a list
    /// filtered with <see cref="IAuthzClient.ResolveScopeAsync"/>). Off by default: a restricted grant is denied,
    /// since an endpoint that names no device would otherwise act on every device. Ignored when
    /// <see cref="DeviceRouteValue"/> is set (the check is then about that device).
    /// </summary>
    public bool AllowRestricted { get; set; }

    /// <inheritdoc />
    public IEnumerable<IAuthorizationRequirement> GetRequirements()
    {
        yield return new PermissionRequirement(Permission, DeviceRouteValue) { AllowRestricted = AllowRestricted };
    }
}

/// <summary>
/// The requirement behind <see cref="RequirePermissionAttribute"/>, for policies:
/// <c>policy.AddRequirements(new PermissionRequirement("device:read", "deviceId"))</c>.
/// </summary>
/// <param name="permission">The permission required.</param>
/// <param name="deviceRouteValue">The route value that holds the device id; null: no device.</param>
public sealed class PermissionRequirement(string permission, string? deviceRouteValue = null) : IAuthorizationRequirement
{
    /// <summary>The permission required.</summary>
    public string Permission { get; } = !string.IsNullOrEmpty(permission) ? permission : throw new ArgumentException("A permission is required.", nameof(permission));

    /// <summary>The route value that holds the device id; null: the check names no device.</summary>
    public string? DeviceRouteValue { get; } = deviceRouteValue;

    /// <summary>
    /// Without a device: also admits a user who holds the permission on some devices only (a <c>restricted</c>
    /// answer); the endpoint must then limit itself to the user's scope. Off by default: a restricted grant is denied.
    /// See <see cref="RequirePermissionAttribute.AllowRestricted"/>.
    /// </summary>
    public bool AllowRestricted { get; init; }

    /// <inheritdoc />
    public override string ToString() => DeviceRouteValue is not null
        ? $"Qbee.Authz {Permission} on {{{DeviceRouteValue}}}"
        : AllowRestricted ? $"Qbee.Authz {Permission} (on some devices at least)" : $"Qbee.Authz {Permission} (on every device)";
}
