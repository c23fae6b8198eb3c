using Qbee.Authz.V1;

namespace Qbee.Authz.Cli.Output;

/// <summary>A dry run's <see cref="Impact"/> for people: per user, each permission gained or lost and on which devices.</summary>
internal static class ImpactText
{
    public static async Task WriteAsync(TextWriter output, string what, Impact impact)
    {
        await output.WriteLineAsync($"What-if {what}, evaluated at revision {impact.Revision}; nothing was stored.");
        if (impact.Users.Count == 0)
        {
            await output.WriteLineAsync("No user's rights would change.");
            return;
        }

        await output.WriteLineAsync(impact.Users.Count == 1 ? "1 user would change:" : $"{impact.Users.Count} users would change:");
        foreach (var user in impact.Users)
        {
            var revoked = user.SessionsRevoked ? "  (a real write names them in WatchRevocations: their sessions are re-checked)" : string.Empty;
            await output.WriteLineAsync($"  {user.UserId}: {Reach(user)}{revoked}");
            if (user.Permissions.Count > 0)
            {
                foreach (var permission in user.Permissions)
                {
                    await output.WriteLineAsync($"    {Describe(permission)}");
                }
            }
            else
            {
                foreach (var gained in user.PermissionsGained)
                {
                    await output.WriteLineAsync($"    + {gained}");
                }

                foreach (var lost in user.PermissionsLost)
                {
                    await output.WriteLineAsync($"    - {lost}");
                }
            }
        }

        if (impact.Truncated)
        {
            await output.WriteLineAsync("(more users would change than the service lists)");
        }
    }

    private static string Describe(PermissionImpact permission)
    {
        var parts = new List<string>();
        if (!permission.HeldBefore && permission.HeldAfter)
        {
            parts.Add("newly held");
        }
        else if (permission.HeldBefore && !permission.HeldAfter)
        {
            parts.Add("no longer held");
        }

        if (permission.DevicesGained > 0)
        {
            parts.Add($"gained on {Devices(permission.DevicesGained)}{List(permission.DeviceIdsGained, permission.DevicesGained)}");
        }

        if (permission.DevicesLost > 0)
        {
            parts.Add($"lost on {Devices(permission.DevicesLost)}{List(permission.DeviceIdsLost, permission.DevicesLost)}");
        }

        var sign = permission.DevicesLost > 0 || (permission.HeldBefore && !permission.HeldAfter) ? (permission.DevicesGained > 0 ? "±" : "-") : "+";
        return $"{sign} {permission.Permission}: {(parts.Count > 0 ? string.Join("; ", parts) : "changed")}";
    }

    private static string Reach(UserImpact user)
    {
        var parts = new List<string>();
        if (user.DevicesGained > 0)
        {
            parts.Add($"gains on {Devices(user.DevicesGained)}");
        }

        if (user.DevicesLost > 0)
        {
            parts.Add($"loses on {Devices(user.DevicesLost)}");
        }

        // A permission that names no device (account-wide) changes without a device count.
        return parts.Count > 0 ? string.Join(", ", parts) : "permissions change";
    }

    private static string Devices(int count) => count == 1 ? "1 device" : $"{count} devices";

    private static string List(IReadOnlyCollection<string> ids, int count) =>
        ids.Count == 0 ? string.Empty : $" ({string.Join(", ", ids)}{(count > ids.Count ? $", and {count - ids.Count} more" : string.Empty)})";
}
