using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Qbee.Authz.Client.Consistency;

namespace Qbee.Authz.Client.Gateway;

/// <summary>
/// For gateways: checks a console, tunnel or copy request before the session opens, and cuts the session later when
/// a revocation names its user and the re-check (at the revocation's revision) denies or fails. While the revocation
/// watch of a session's account is down (revocations may be missed), the session is re-checked every
/// <see cref="GatewayOptions.RecheckInterval"/> instead: cut when the re-check denies, and when re-checks keep failing
/// past <see cref="GatewayOptions.RecheckGrace"/> (fail closed). A session runs while
/// <see cref="RemoteAccessSession.Token"/> is not cancelled.
/// </summary>
public sealed class RemoteAccessGuard : IDisposable
{
    /// <summary>The permission every remote-access session needs.</summary>
    public const string Permission = "remote-access:connect";

    private readonly IAuthzClient _client;
    private readonly RevocationHub _hub;
    private readonly ILogger<RemoteAccessGuard> _logger;
    private readonly ConcurrentDictionary<long, RemoteAccessSession> _sessions = new();
    private readonly ConcurrentDictionary<string, IDisposable> _subscriptions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ulong> _revokedAt = new(StringComparer.Ordinal);
    private readonly GatewayOptions _options;
    private readonly TimeProvider _time;
    private readonly ITimer _recheckTimer;
    private long _nextId;

    internal RemoteAccessGuard(IAuthzClient client, RevocationHub hub, IOptions<AuthzClientOptions> options, TimeProvider time, ILogger<RemoteAccessGuard> logger)
    {
        _client = client;
        _hub = hub;
        _options = options.Value.Gateway;
        _time = time;
        _logger = logger;
        _recheckTimer = time.CreateTimer(_ => RecheckWhereUnwatched(), null, _options.RecheckInterval, _options.RecheckInterval);
    }

    /// <summary>Raised when a session is cut after it was opened (its token is cancelled at the same moment).</summary>
    public event EventHandler<RemoteAccessSession>? SessionCut;

    /// <summary>Raised after each re-check is over (the next may start), with its answer (null when it failed); tests wait on it.</summary>
    internal event Action<RemoteAccessSession, Decision?>? Rechecked;

    /// <summary>The sessions open now.</summary>
    public int OpenSessions => _sessions.Count;

    /// <summary>
    /// Checks the request and, when allowed, opens a session that is watched until it is disposed. A denied request
    /// returns a session whose <see cref="RemoteAccessSession.Token"/> is already cancelled. Errors from the service
    /// are thrown (the gateway refuses the request).
    /// </summary>
    /// <param name="accountId">The user's account (its revocations are watched).</param>
    /// <param name="userId">The user.</param>
    /// <param name="deviceId">The device.</param>
    /// <param name="request">The console, tunnel, copy or reload request.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    public async Task<RemoteAccessSession> OpenAsync(string accountId, string userId, string deviceId, RemoteAccessRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ArgumentNullException.ThrowIfNull(request);
        _client.RememberUserAccount(userId, accountId);
        var decision = await _client.CheckAsync(new CheckQuery(userId, Permission, deviceId, request), cancellationToken).ConfigureAwait(false);
        // After the check, so that a new watch starts after the revision the answer came from.
        Watch(accountId);
        var session = new RemoteAccessSession(this, Interlocked.Increment(ref _nextId), accountId, userId, deviceId, request, decision, _time.GetTimestamp());
        if (!decision.Allowed)
        {
            session.Cut(decision.Reason.ToString());
            return session;
        }

        _sessions[session.Id] = session;
        // A revocation that arrived while the check was in flight: the answer may predate it.
        if (_revokedAt.TryGetValue(userId, out var revokedAt) && revokedAt > decision.Revision)
        {
            await RecheckAsync(session, revokedAt).ConfigureAwait(false);
        }

        return session;
    }

    /// <summary>Stops watching and re-checking; open sessions are left as they are.</summary>
    public void Dispose()
    {
        _recheckTimer.Dispose();
        foreach (var subscription in _subscriptions.Values)
        {
            subscription.Dispose();
        }

        _subscriptions.Clear();
    }

    internal void Close(RemoteAccessSession session) => _sessions.TryRemove(session.Id, out _);

    private void Watch(string accountId)
    {
        if (_subscriptions.ContainsKey(accountId))
        {
            return;
        }

        lock (_subscriptions)
        {
            if (!_subscriptions.ContainsKey(accountId))
            {
                _subscriptions[accountId] = _hub.Subscribe(accountId, OnRevocation);
            }
        }
    }

    private void OnRevocation(Revocation revocation)
    {
        var users = revocation.UserIds.ToHashSet(StringComparer.Ordinal);
        foreach (var userId in users)
        {
            _revokedAt.AddOrUpdate(userId, revocation.Revision, (_, seen) => Math.Max(seen, revocation.Revision));
        }

        foreach (var session in _sessions.Values)
        {
            if (session.AccountId == revocation.AccountId && (revocation.AllUsers || users.Contains(session.UserId)))
            {
                _ = RecheckAsync(session, revocation.Revision);
            }
        }
    }

    private void RecheckWhereUnwatched()
    {
        foreach (var session in _sessions.Values)
        {
            if (_hub.IsConnected(session.AccountId))
            {
                // Connected now: any revocation since the last confirmation has reached this guard.
                session.Confirm(_time.GetTimestamp(), session.Revision);
            }
            else if (session.TryStartRecheck())
            {
                _ = RecheckUnwatchedAsync(session);
            }
        }
    }

    private async Task RecheckUnwatchedAsync(RemoteAccessSession session)
    {
        Decision? decision = null;
        try
        {
            decision = await _client.CheckAsync(
                new CheckQuery(session.UserId, Permission, session.DeviceId, session.Request) { MinRevision = session.Revision }).ConfigureAwait(false);
            if (decision.Allowed)
            {
                session.Confirm(_time.GetTimestamp(), decision.Revision);
            }
            else
            {
                Cut(session, decision.Reason.ToString());
            }
        }
        catch (RpcException e)
        {
            var unconfirmed = _time.GetElapsedTime(session.ConfirmedAt);
            if (unconfirmed >= _options.RecheckGrace)
            {
                ClientLog.SessionRecheckFailed(_logger, session.Id, session.UserId, e.StatusCode);
                Cut(session, $"re-check failed: {e.StatusCode}, unconfirmed for {unconfirmed.TotalSeconds:F0} s");
            }
            else
            {
                ClientLog.SessionRecheckFailedWithinGrace(_logger, session.Id, session.UserId, e.StatusCode, unconfirmed.TotalSeconds);
            }
        }
        finally
        {
            session.EndRecheck();
        }

        // Once the re-check is over: the next tick may start another (raised before, a tick right after it was skipped).
        Rechecked?.Invoke(session, decision);
    }

    private async Task RecheckAsync(RemoteAccessSession session, ulong revision)
    {
        try
        {
            var decision = await _client.CheckAsync(
                new CheckQuery(session.UserId, Permission, session.DeviceId, session.Request) { MinRevision = revision }).ConfigureAwait(false);
            if (decision.Allowed)
            {
                session.Confirm(_time.GetTimestamp(), decision.Revision);
            }
            else
            {
                Cut(session, decision.Reason.ToString());
            }

            Rechecked?.Invoke(session, decision);
        }
        catch (RpcException e)
        {
            ClientLog.SessionRecheckFailed(_logger, session.Id, session.UserId, e.StatusCode);
            Cut(session, $"re-check failed: {e.StatusCode}");
            Rechecked?.Invoke(session, null);
        }
    }

    private void Cut(RemoteAccessSession session, string reason)
    {
        if (session.Cut(reason))
        {
            _sessions.TryRemove(session.Id, out _);
            ClientLog.SessionCut(_logger, session.Id, session.UserId, session.DeviceId, reason);
            SessionCut?.Invoke(this, session);
        }
    }
}
