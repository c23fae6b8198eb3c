using System.Collections.Frozen;

namespace Qbee.Authz.Service.Domain;

/// <summary>
/// The permission catalogue: the table of users-and-roles.txt plus remote-access:connect and metrics:read,
/// which of them may carry resources, and the reports:markread alias. Validation, checks and docs all read it.
/// </summary>
internal static class PermissionCatalog
{
    public const int Count = 27;

    /// <summary>The documentation's other name for reports:acknowledge; accepted everywhere.</summary>
    public const string MarkReadAlias = "reports:markread";

    private static readonly string[] Names =
    [
        "analysis:read",
        "audit:read",
        "billing:read",
        "billing:manage",
        "bootstrap-keys:read",
        "bootstrap-keys:manage",
        "company:read",
        "company:manage",
        "configuration:read",
        "configuration:manage",
        "cve:read",
        "cve:manage",
        "device:read",
        "device:manage",
        "device:approve",
        "files:read",
        "files:manage",
        "inventory:read",
        "metrics:read",
        "remote-access:connect",
        "remote-access:manage",
        "reports:acknowledge",
        "reports:read",
        "roles:read",
        "roles:manage",
        "users:read",
        "users:manage",
    ];

    private static readonly FrozenDictionary<string, Permission> ByName = BuildIndex();

    public static IReadOnlyList<string> CanonicalNames => Names;

    public static IEnumerable<Permission> All => Enumerable.Range(0, Count).Select(i => (Permission)i);

    public static string NameOf(Permission permission) => Names[(int)permission];

    /// <summary>Canonical names and the alias; ordinal, so "Device:Read" is unknown.</summary>
    public static bool TryResolve(string? name, out Permission permission)
    {
        if (name is null)
        {
            permission = default;
            return false;
        }

        return ByName.TryGetValue(name, out permission);
    }

    /// <summary>Only these may carry resources (tag:, node:, actions); the others are account-wide.</summary>
    public static bool IsRestrictable(Permission permission) => permission is
        Permission.DeviceRead or Permission.DeviceManage or Permission.RemoteAccessConnect or
        Permission.RemoteAccessManage or Permission.ReportsRead or Permission.ReportsAcknowledge;

    /// <summary>Resolves a name from a request, or throws INVALID_ARGUMENT naming the field.</summary>
    public static Permission Require(string? name, string field)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new InvalidFieldException(field, "is required");
        }

        if (!TryResolve(name, out var permission))
        {
            var closest = Closest(name);
            var hint = closest is null ? string.Empty : $" (did you mean '{closest}'?)";
            throw new InvalidFieldException(field, $"unknown permission '{Printable.Clip(name)}'{hint}");
        }

        return permission;
    }

    /// <summary>
    /// The known name nearest to a mistyped one (edit distance, case ignored), when it is near enough to be what
    /// the caller meant: at most a quarter of its letters off, and at least one.
    /// </summary>
    internal static string? Closest(string name)
    {
        const int LongestWorthComparing = 64; // every name is far shorter: longer input is no typo of one
        if (name.Length > LongestWorthComparing)
        {
            return null;
        }

        var lower = name.ToLowerInvariant();
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in Names)
        {
            var distance = EditDistance(lower, candidate);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return bestDistance <= Math.Max(1, best!.Length / 4) ? best : null;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static FrozenDictionary<string, Permission> BuildIndex()
    {
        var index = new Dictionary<string, Permission>(StringComparer.Ordinal);
        for (var i = 0; i < Names.Length; i++)
        {
            index.Add(Names[i], (Permission)i);
        }

        index.Add(MarkReadAlias, Permission.ReportsAcknowledge);
        return index.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
