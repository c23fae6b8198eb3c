namespace Qbee.Authz.Client;

/// <summary>
/// Settings of the Qbee.Authz client, bound from the <c>QbeeAuthz</c> configuration section and then from the
/// delegate given to <see cref="AuthzClientServiceCollectionExtensions.AddQbeeAuthzClient"/>.
/// </summary>
public sealed class AuthzClientOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string Section = "QbeeAuthz";

    /// <summary>The service's address, e.g. <c>http://127.0.0.1:50051</c> (h2c) or <c>https://authz.example.com</c>.</summary>
    public Uri? Address { get; set; }

    /// <summary>
    /// The caller's bearer token, sent as <c>authorization: Bearer &lt;token&gt;</c> on every call; none when null.
    /// Over plain h2c it is only sent to a loopback address unless <see cref="AllowTokenOverPlaintext"/> is set.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>Sends the token over an unencrypted (h2c) connection to a non-loopback address. Off by default.</summary>
    public bool AllowTokenOverPlaintext { get; set; }

    /// <summary>The deadline of each authorization call (Check, ResolveScope, one page of ListAllowedDevices...). Default 2 s.</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The deadline of each admin call. Default 10 s.</summary>
    public TimeSpan AdminDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Attempts per authorization call (the first included) when the service answers UNAVAILABLE, through the
    /// channel's retry policy. Admin calls are not retried (not every write is idempotent). Default 3; 1: no retry.
    /// </summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The first back-off between retries; it doubles per attempt up to 1 s. Default 100 ms.</summary>
    public TimeSpan RetryInitialBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Sends the highest revision this client has seen for the user's account as <c>min_revision</c>, so a check
    /// after an admin write sees that write. Needs the user's account: learned from admin writes made through this
    /// client and from <see cref="IAuthzClient.RememberUserAccount"/>. Off by default.
    /// </summary>
    public bool ReadYourWrites { get; set; }

    /// <summary>
    /// The first delay before a revocation watch (<see cref="IAuthzClient.WatchRevocationsAsync"/>, and the one behind
    /// the decision cache and <see cref="Gateway.RemoteAccessGuard"/>) reconnects; it doubles up to
    /// <see cref="WatchMaxBackoff"/>, each delay drawn between half and all of it (jitter). Every status is retried,
    /// never given up. Default 200 ms.
    /// </summary>
    public TimeSpan WatchInitialBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest delay between reconnection attempts of a revocation watch. Default 30 s.</summary>
    public TimeSpan WatchMaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The local decision cache (off by default).</summary>
    public DecisionCacheOptions DecisionCache { get; set; } = new();

    /// <summary>The remote-access guard of gateways.</summary>
    public GatewayOptions Gateway { get; set; } = new();

    /// <summary>
    /// The claim that holds the user id for the ASP.NET Core authorization handler and endpoint filter. Default
    /// <c>sub</c> (note that JwtBearer maps <c>sub</c> to <see cref="System.Security.Claims.ClaimTypes.NameIdentifier"/>
    /// unless <c>MapInboundClaims</c> is off).
    /// </summary>
    public string UserClaimType { get; set; } = "sub";

    /// <summary>
    /// The claim that holds the user's account id, when the caller's tokens carry one; the handler then tells the
    /// client the user's account (read-your-writes and cache invalidation). None by default.
    /// </summary>
    public string? AccountClaimType { get; set; }
}

/// <summary>The optional local cache of Check answers.</summary>
public sealed class DecisionCacheOptions
{
    /// <summary>Caches Check answers locally. Off by default.</summary>
    public bool Enabled { get; set; }

    /// <summary>The longest <see cref="TimeToLive"/> allowed: a bound on how long a missed revocation can go unnoticed.</summary>
    public static readonly TimeSpan MaxTimeToLive = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long an answer is reused, at most <see cref="MaxTimeToLive"/> (5 minutes; validation refuses more).
    /// Answers are reused only while the account's revocation watch is connected. Default 5 s.
    /// </summary>
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The most answers held; the cache is emptied when it is full. Default 10,000.</summary>
    public int MaxEntries { get; set; } = 10_000;
}

/// <summary>
/// How <see cref="Gateway.RemoteAccessGuard"/> keeps open sessions honest while the revocation watch of their account
/// is down (not connected: broken, refused, or not yet connected), when revocations may be missed.
/// </summary>
public sealed class GatewayOptions
{
    /// <summary>
    /// While the watch of a session's account is down, the session is re-checked this often; a re-check that denies
    /// cuts it. Default 30 s.
    /// </summary>
    public TimeSpan RecheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a session may run unconfirmed while the watch is down and re-checks cannot reach the service
    /// (fail closed after a grace): once its last confirmation (the check that opened it, a re-check that allowed
    /// it, or a moment the watch was connected) is older than this, a failed re-check cuts it. Zero cuts at the
    /// first failed re-check. Default 60 s.
    /// </summary>
    public TimeSpan RecheckGrace { get; set; } = TimeSpan.FromSeconds(60);
}
