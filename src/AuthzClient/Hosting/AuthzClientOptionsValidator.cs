using System.Net;
using Microsoft.Extensions.Options;

namespace Qbee.Authz.Client;

internal sealed class AuthzClientOptionsValidator : IValidateOptions<AuthzClientOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthzClientOptions options)
    {
        var failures = new List<string>();
        if (options.Address is null)
        {
            failures.Add($"{AuthzClientOptions.Section}:Address is required (e.g. http://127.0.0.1:50051).");
        }
        else if (!options.Address.IsAbsoluteUri || (options.Address.Scheme != Uri.UriSchemeHttp && options.Address.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{AuthzClientOptions.Section}:Address must be an absolute http:// or https:// address, not '{options.Address}'.");
        }
        else if (options.Token is not null && options.Address.Scheme == Uri.UriSchemeHttp && !IsLoopback(options.Address) && !options.AllowTokenOverPlaintext)
        {
            failures.Add($"{AuthzClientOptions.Section}:Token would be sent unencrypted to {options.Address.Host}: use https, or set AllowTokenOverPlaintext.");
        }

        if (options.Token is { Length: 0 })
        {
            failures.Add($"{AuthzClientOptions.Section}:Token is empty; leave it out for no token.");
        }

        Positive(failures, options.Deadline, nameof(options.Deadline));
        Positive(failures, options.AdminDeadline, nameof(options.AdminDeadline));
        Positive(failures, options.RetryInitialBackoff, nameof(options.RetryInitialBackoff));
        Positive(failures, options.WatchInitialBackoff, nameof(options.WatchInitialBackoff));
        Positive(failures, options.WatchMaxBackoff, nameof(options.WatchMaxBackoff));
        if (options.MaxAttempts is < 1 or > 5)
        {
            failures.Add($"{AuthzClientOptions.Section}:MaxAttempts must be 1..5 (the channel caps retries at 5), not {options.MaxAttempts}.");
        }

        if (options.DecisionCache.Enabled)
        {
            Positive(failures, options.DecisionCache.TimeToLive, "DecisionCache:TimeToLive");
            if (options.DecisionCache.TimeToLive > DecisionCacheOptions.MaxTimeToLive)
            {
                failures.Add($"{AuthzClientOptions.Section}:DecisionCache:TimeToLive must be at most {DecisionCacheOptions.MaxTimeToLive} (a missed revocation must not outlive it), not {options.DecisionCache.TimeToLive}.");
            }

            if (options.DecisionCache.MaxEntries < 1)
            {
                failures.Add($"{AuthzClientOptions.Section}:DecisionCache:MaxEntries must be positive.");
            }
        }

        Positive(failures, options.Gateway.RecheckInterval, "Gateway:RecheckInterval");
        if (options.Gateway.RecheckGrace < TimeSpan.Zero)
        {
            failures.Add($"{AuthzClientOptions.Section}:Gateway:RecheckGrace must not be negative, not {options.Gateway.RecheckGrace}.");
        }

        if (string.IsNullOrWhiteSpace(options.UserClaimType))
        {
            failures.Add($"{AuthzClientOptions.Section}:UserClaimType is required.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{AuthzClientOptions.Section}:{name} must be positive, not {value}.");
        }
    }

    private static bool IsLoopback(Uri address) =>
        address.IsLoopback || (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
