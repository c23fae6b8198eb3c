using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.Security;

/// <summary>How a call fared at the door.</summary>
internal enum CallOutcome
{
    /// <summary>Health and reflection: open to anyone.</summary>
    Open,

    /// <summary>No callers are configured and the call came over loopback.</summary>
    Loopback,

    /// <summary>A configured caller with the scope the service needs.</summary>
    Caller,
    Unauthenticated,
    PermissionDenied,
}

/// <param name="Caller">The caller's index in the table; -1 when none.</param>
/// <param name="Message">Why the call was refused; null when it was not.</param>
internal readonly record struct CallVerdict(CallOutcome Outcome, int Caller, string? Message);

/// <summary>
/// The configured callers, with each token hash held as bytes so a call hashes the presented token into a
/// stack buffer and compares it, in constant time, with every hash: no allocation on the way in.
/// </summary>
internal sealed class CallerTable
{
    /// <summary>Longer bearer values are refused before hashing; new-token makes 43 characters.</summary>
    public const int MaxTokenLength = 256;

    private const string BearerPrefix = "Bearer ";
    private static readonly string CheckPrefix = $"/{AuthorizationService.Descriptor.FullName}/";
    private static readonly string AdminPrefix = $"/{AdminService.Descriptor.FullName}/";

    private readonly byte[][] _hashes;
    private readonly CallerFeature[] _features;
    private readonly CallerScopes[] _scopes;

    public CallerTable(IOptions<CallerOptions> options)
        : this(options.Value.Callers)
    {
    }

    public CallerTable(IReadOnlyList<CallerEntry> callers)
    {
        _hashes = callers.Select(c => Convert.FromHexString(c.TokenSha256)).ToArray();
        _scopes = callers.Select(c => c.Scopes.Aggregate(CallerScopes.None, (all, s) => CallerScopeNames.TryParse(s, out var one) ? all | one : all)).ToArray();
        _features = callers.Select((c, i) => new CallerFeature(c.Name, _scopes[i])).ToArray();
    }

    /// <summary>No callers configured: only loopback calls are served, without a token.</summary>
    public bool IsEmpty => _hashes.Length == 0;

    public int Count => _hashes.Length;

    public CallerFeature FeatureOf(int caller) => _features[caller];

    /// <summary>The scope a method needs: none for health and reflection, admin for anything unknown.</summary>
    public static CallerScopes RequiredScope(string method)
    {
        if (method.StartsWith(CheckPrefix, StringComparison.Ordinal))
        {
            return CallerScopes.Check;
        }

        if (method.StartsWith("/grpc.health.v1.Health/", StringComparison.Ordinal)
            || method.StartsWith("/grpc.reflection.", StringComparison.Ordinal))
        {
            return CallerScopes.None;
        }

        // The AdminService, and anything added later that nobody classified: closed by default.
        return CallerScopes.Admin;
    }

    /// <param name="method">The gRPC method, "/package.Service/Method".</param>
    /// <param name="authorization">The authorization header, null when missing (or sent more than once).</param>
    /// <param name="remote">The connection's remote address; null when it has none (e.g. a Unix socket).</param>
    public CallVerdict Authorize(string method, string? authorization, IPAddress? remote)
    {
        var scope = RequiredScope(method);
        if (scope == CallerScopes.None)
        {
            return new CallVerdict(CallOutcome.Open, -1, null);
        }

        if (IsEmpty)
        {
            return IsLoopback(remote)
                ? new CallVerdict(CallOutcome.Loopback, -1, null)
                : new CallVerdict(CallOutcome.Unauthenticated, -1,
                    "No callers are configured (Authz:Callers), so only calls over loopback are served without a token.");
        }

        if (authorization is null
            || authorization.Length <= BearerPrefix.Length
            || !authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return new CallVerdict(CallOutcome.Unauthenticated, -1, "A bearer token is required: authorization: Bearer <token>.");
        }

        var caller = Find(authorization.AsSpan(BearerPrefix.Length).Trim());
        if (caller < 0)
        {
            return new CallVerdict(CallOutcome.Unauthenticated, -1, "The bearer token is not one of a configured caller.");
        }

        if ((_scopes[caller] & scope) == 0)
        {
            var name = scope == CallerScopes.Check ? CallerScopeNames.Check : CallerScopeNames.Admin;
            return new CallVerdict(CallOutcome.PermissionDenied, caller, $"Caller '{_features[caller].Name}' lacks the '{name}' scope.");
        }

        return new CallVerdict(CallOutcome.Caller, caller, null);
    }

    /// <summary>The caller whose hash is the token's; -1 when none. Every hash is compared, in constant time.</summary>
    public int Find(ReadOnlySpan<char> token)
    {
        if (token.IsEmpty || token.Length > MaxTokenLength)
        {
            return -1;
        }

        Span<byte> utf8 = stackalloc byte[MaxTokenLength * 3];
        var length = Encoding.UTF8.GetBytes(token, utf8);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], hash);

        var found = -1;
        for (var i = 0; i < _hashes.Length; i++)
        {
            // No early exit: the time taken does not tell which caller matched or how many are configured before it.
            if (CryptographicOperations.FixedTimeEquals(hash, _hashes[i]))
            {
                found = i;
            }
        }

        return found;
    }

    public static bool IsLoopback(IPAddress? address) =>
        address is not null && (IPAddress.IsLoopback(address) || (address.IsIPv4MappedToIPv6 && IPAddress.IsLoopback(address.MapToIPv4())));
}
