using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Domain;

namespace Qbee.Authz.Service.Security;

/// <summary>Stops the service at start-up on a caller list it cannot enforce exactly as written.</summary>
internal sealed class CallerOptionsValidator : IValidateOptions<CallerOptions>
{
    public ValidateOptionsResult Validate(string? name, CallerOptions options)
    {
        var failures = new List<string>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var hashes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Callers.Count; i++)
        {
            var caller = options.Callers[i];
            var key = $"{CallerOptions.Key}:{i}";
            if (!Ids.IsValidId(caller.Name))
            {
                failures.Add($"{key}:Name must be 1..{Ids.MaxLength} characters of [A-Za-z0-9._-] (it is recorded in audit events).");
            }
            else if (!names.Add(caller.Name))
            {
                failures.Add($"{key}:Name '{caller.Name}' is configured twice.");
            }

            if (caller.TokenSha256.Length != 64 || !caller.TokenSha256.All(char.IsAsciiHexDigit))
            {
                failures.Add($"{key}:TokenSha256 must be the token's SHA-256 as 64 hex characters (see the new-token command), never the token.");
            }
            else if (!hashes.Add(caller.TokenSha256))
            {
                failures.Add($"{key}:TokenSha256 is the same as another caller's: each caller needs its own token.");
            }

            if (caller.Scopes.Count == 0)
            {
                failures.Add($"{key}:Scopes is required: '{CallerScopeNames.Check}' and/or '{CallerScopeNames.Admin}'.");
            }

            foreach (var scope in caller.Scopes)
            {
                if (!CallerScopeNames.TryParse(scope, out _))
                {
                    failures.Add($"{key}:Scopes has '{scope}': the scopes are '{CallerScopeNames.Check}' and '{CallerScopeNames.Admin}'.");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
