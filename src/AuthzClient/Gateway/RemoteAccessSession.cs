namespace Qbee.Authz.Client.Gateway;

/// <summary>One remote-access session opened through <see cref="RemoteAccessGuard"/>. Dispose it when the session ends.</summary>
public sealed class RemoteAccessSession : IDisposable
{
    private readonly RemoteAccessGuard _guard;
    private readonly CancellationTokenSource _cut = new();
    private string? _cutReason;
    private readonly Lock _confirmation = new();
    private long _confirmedAt;
    private ulong _revision;
    private int _rechecking;

    internal RemoteAccessSession(RemoteAccessGuard guard, long id, string accountId, string userId, string deviceId, RemoteAccessRequest request, Decision decision, long openedAt)
    {
        _confirmedAt = openedAt;
        _revision = decision.Revision;
        _guard = guard;
        Id = id;
        AccountId = accountId;
        UserId = userId;
        DeviceId = deviceId;
        Request = request;
        Decision = decision;
    }

    /// <summary>The session's number in this guard.</summary>
    public long Id { get; }

    /// <summary>The user's account.</summary>
    public string AccountId { get; }

    /// <summary>The user.</summary>
    public string UserId { get; }

    /// <summary>The device.</summary>
    public string DeviceId { get; }

    /// <summary>What was asked.</summary>
    public RemoteAccessRequest Request { get; }

    /// <summary>The answer when the session was opened.</summary>
    public Decision Decision { get; }

    /// <summary>Whether the session was allowed to open.</summary>
    public bool Allowed => Decision.Allowed;

    /// <summary>Cancelled when the session must end: denied at open, or cut after a re-check (see <see cref="RemoteAccessGuard"/>).</summary>
    public CancellationToken Token => _cut.Token;

    /// <summary>Why the session was cut (the deny reason, or the re-check's failure); null while it may run.</summary>
    public string? CutReason => Volatile.Read(ref _cutReason);

    /// <summary>Closes the session: it is no longer watched.</summary>
    public void Dispose()
    {
        _guard.Close(this);
        _cut.Dispose();
    }

    /// <summary>The timestamp (of the guard's TimeProvider) when the session was last known to be allowed.</summary>
    internal long ConfirmedAt
    {
        get
        {
            lock (_confirmation)
            {
                return _confirmedAt;
            }
        }
    }

    /// <summary>The revision of the newest answer that allowed it; re-checks ask for at least this one.</summary>
    internal ulong Revision
    {
        get
        {
            lock (_confirmation)
            {
                return _revision;
            }
        }
    }

    internal void Confirm(long timestamp, ulong revision)
    {
        lock (_confirmation)
        {
            _confirmedAt = timestamp;
            _revision = Math.Max(_revision, revision);
        }
    }

    /// <summary>False while an interval re-check is still running: a slow service does not pile them up.</summary>
    internal bool TryStartRecheck() => Interlocked.CompareExchange(ref _rechecking, 1, 0) == 0;

    internal void EndRecheck() => Volatile.Write(ref _rechecking, 0);

    internal bool Cut(string reason)
    {
        if (Interlocked.CompareExchange(ref _cutReason, reason, null) is not null)
        {
            return false;
        }

        try
        {
            _cut.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Closed meanwhile: nothing left to cut.
        }

        return true;
    }
}
