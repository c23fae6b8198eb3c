using System.Globalization;
using Qbee.Authz.Cli.Commands;
using Qbee.Authz.V1;

namespace Qbee.Authz.Cli.Output;

/// <summary>One audit event on one line: id, time, account, kind, then what the kind has (a decision or an admin change).</summary>
internal static class AuditEventText
{
    public static string Format(AuditEvent e)
    {
        var parts = new List<string>
        {
            $"#{e.EventId.ToString(CultureInfo.InvariantCulture)}",
            e.Time is null ? "-" : e.Time.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            e.AccountId,
            e.Kind,
        };
        Add(parts, "user", e.UserId);
        Add(parts, "device", e.DeviceId);
        Add(parts, "permission", e.Permission);
        Add(parts, "action", RemoteAccessOptions.Describe(e.RemoteAccess));
        if (e.Reason != DecisionReason.Unspecified)
        {
            parts.Add(e.Allowed ? "ALLOWED" : $"DENIED {Reasons.Name(e.Reason)}");
        }

        Add(parts, "role", e.RoleId);
        Add(parts, "resource", e.Resource);
        if (e.Revision > 0)
        {
            parts.Add($"revision={e.Revision.ToString(CultureInfo.InvariantCulture)}");
        }

        Add(parts, "caller", e.Caller);
        Add(parts, "request", e.RequestId);
        Add(parts, "detail", e.Detail.ReplaceLineEndings(" "));
        return string.Join(' ', parts);
    }

    private static void Add(List<string> parts, string name, string value)
    {
        if (value.Length > 0)
        {
            parts.Add($"{name}={value}");
        }
    }
}
