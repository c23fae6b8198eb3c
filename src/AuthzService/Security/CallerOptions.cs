namespace Qbee.Authz.Service.Security;

/// <summary>
/// The services allowed to call (section Authz, key Callers): each with its token's SHA-256 and its scopes.
/// The token itself is never configured, only its hash; <c>new-token</c> makes both.
/// </summary>
internal sealed class CallerOptions
{
    public const string SectionName = "Authz";
    public const string Key = "Authz:Callers";

    public List<CallerEntry> Callers { get; set; } = [];
}

/// <summary>One caller: a name (recorded in audit events), its token's SHA-256 (64 hex), its scopes.</summary>
internal sealed class CallerEntry
{
    public string Name { get; set; } = string.Empty;

    public string TokenSha256 { get; set; } = string.Empty;

    public List<string> Scopes { get; set; } = [];
}

/// <summary>What a caller may call: <c>check</c> the AuthorizationService, <c>admin</c> the AdminService.</summary>
[Flags]
internal enum CallerScopes
{
    None = 0,
    Check = 1,
    Admin = 2,
}

internal static class CallerScopeNames
{
    public const string Check = "check";
    public const string Admin = "admin";

    public static bool TryParse(string? name, out CallerScopes scope)
    {
        scope = name switch
        {
            Check => CallerScopes.Check,
            Admin => CallerScopes.Admin,
            _ => CallerScopes.None,
        };
        return scope != CallerScopes.None;
    }
}
