using Microsoft.AspNetCore.Mvc;

namespace Qbee.Authz.Client.AspNetCore;

/// <summary>
/// Why a request was refused a permission (403): the body the endpoint filter and
/// <see cref="PermissionProblemResultHandler"/> write, as RFC 7807 problem details.
/// </summary>
/// <param name="Permission">The permission required.</param>
/// <param name="DeviceId">The device the check named; null: none.</param>
/// <param name="Reason">
/// The service's <see cref="V1.DecisionReason"/> name for a deny (<c>DeviceOutOfScope</c>); <c>Restricted</c> for a grant
/// on some devices only where the endpoint names none; <c>ServiceFailed</c> when the service could not answer (fail
/// closed); <c>NoDeviceRouteValue</c> when the route lacked the device.
/// </param>
/// <param name="Detail">One sentence: the service's message, or what failed.</param>
public sealed record PermissionDenial(string Permission, string? DeviceId, string Reason, string Detail)
{
    /// <summary>A grant on some devices only, refused by an endpoint that names no device.</summary>
    public const string Restricted = "Restricted";

    /// <summary>The service failed or could not be reached: denied (fail closed).</summary>
    public const string ServiceFailed = "ServiceFailed";

    /// <summary>The route had no value for the device.</summary>
    public const string NoDeviceRouteValue = "NoDeviceRouteValue";

    /// <summary>
    /// The 403 problem details: <c>title</c> Forbidden, <c>detail</c> "reason: message", and the extensions
    /// <c>permission</c>, <c>reason</c> and (when a device was named) <c>deviceId</c>, for a client to branch on.
    /// </summary>
    /// <returns>The problem details.</returns>
    public ProblemDetails ToProblemDetails()
    {
        var problem = new ProblemDetails
        {
            Status = 403,
            Title = "Forbidden",
            Type = "https://tools.ietf.org/html/rfc9110#section-15.5.4",
            Detail = Detail.Length > 0 ? $"{Reason}: {Detail}" : Reason,
        };
        problem.Extensions["permission"] = Permission;
        problem.Extensions["reason"] = Reason;
        if (DeviceId is not null)
        {
            problem.Extensions["deviceId"] = DeviceId;
        }

        return problem;
    }
}
