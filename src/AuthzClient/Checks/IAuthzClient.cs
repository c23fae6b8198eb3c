namespace Qbee.Authz.Client;

/// <summary>
/// The authorization questions a service asks Qbee.Authz (the hot path). Every call carries the deadline of
/// <see cref="AuthzClientOptions.Deadline"/> and is retried on UNAVAILABLE by the channel. A deny is an answer, not an
/// exception; a bad request (unknown permission, malformed id) throws <see cref="Grpc.Core.RpcException"/>.
/// </summary>
public interface IAuthzClient
{
    /// <summary>May <paramref name="userId"/> use <paramref name="permission"/> (on a device, for a remote-access action)?</summary>
    /// <param name="userId">The user.</param>
    /// <param name="permission">A permission of the catalogue, e.g. <c>device:read</c>.</param>
    /// <param name="deviceId">A device id, or null for none.</param>
    /// <param name="remoteAccess">For <c>remote-access:connect</c>: the action and its parameters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Decision> CheckAsync(string userId, string permission, string? deviceId = null, RemoteAccessRequest? remoteAccess = null, CancellationToken cancellationToken = default);

    /// <summary>Asks one question with every option (explain, min revision).</summary>
    /// <param name="query">The question.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Decision> CheckAsync(CheckQuery query, CancellationToken cancellationToken = default);

    /// <summary>Asks 1..1000 questions in one call, answered in order from one snapshot per account.</summary>
    /// <param name="queries">The questions.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<IReadOnlyList<Decision>> CheckManyAsync(IReadOnlyList<CheckQuery> queries, CancellationToken cancellationToken = default);

    /// <summary>May the user make this REST call of the platform? The answer names the permission the call maps to.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="method">GET, POST, PUT, PATCH or DELETE.</param>
    /// <param name="path">The path, with or without <c>/api/v2</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Decision> CheckApiCallAsync(string userId, string method, string path, CancellationToken cancellationToken = default);

    /// <summary>The tags and nodes that bound <paramref name="permission"/> for the user: the filter of a device list.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="permission">A restrictable permission, e.g. <c>device:read</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Scope> ResolveScopeAsync(string userId, string permission, CancellationToken cancellationToken = default);

    /// <summary>The devices the user may use <paramref name="permission"/> on, in a stable order, following the pages.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="permission">The permission.</param>
    /// <param name="remoteAccess">For <c>remote-access:connect</c>: only devices where this action is allowed.</param>
    /// <param name="pageSize">Devices per call, 1..1000; 0: the service's default.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    IAsyncEnumerable<string> ListAllowedDevicesAsync(string userId, string permission, RemoteAccessRequest? remoteAccess = null, int pageSize = 0, CancellationToken cancellationToken = default);

    /// <summary>Every permission and UI element the user has, optionally on one device.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="deviceId">A device, or null for the account-wide answer.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<EffectivePermissions> GetEffectivePermissionsAsync(string userId, string? deviceId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The revocations of an account as they happen: after each revision, the users whose rights may have shrunk.
    /// Never ends by itself and never throws a status: when the stream breaks or is refused (UNAVAILABLE, a replica
    /// stopping, RESOURCE_EXHAUSTED for a reader too slow, NOT_FOUND for an account the replica has not loaded yet,
    /// UNAUTHENTICATED while a token is rotated, anything) it reconnects with an exponential back-off and jitter
    /// (<see cref="AuthzClientOptions.WatchInitialBackoff"/>, <see cref="AuthzClientOptions.WatchMaxBackoff"/>),
    /// logs why, and resumes after the last revision it yielded, so no revision is skipped. Ends when
    /// <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <param name="accountId">The account.</param>
    /// <param name="afterRevision">Start after this revision; 0: from now on.</param>
    /// <param name="cancellationToken">Stops watching.</param>
    IAsyncEnumerable<Revocation> WatchRevocationsAsync(string accountId, ulong afterRevision = 0, CancellationToken cancellationToken = default);

    /// <summary>
    /// Tells the client which account a user belongs to, so that read-your-writes and the decision cache's
    /// revocation watch apply to the user's checks. Admin writes through <see cref="IAuthzAdminClient"/> teach it too.
    /// </summary>
    /// <param name="userId">The user.</param>
    /// <param name="accountId">The user's account.</param>
    void RememberUserAccount(string userId, string accountId);
}
