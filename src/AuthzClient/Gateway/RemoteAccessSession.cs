namespace Qbee.Authz.Client.Gateway;

/// <summary>One remote-access session opened through <see cref="RemoteAccessGuard"/>. Dispose it when the session ends.</summary>
public sealed class RemoteAccessSession : IDisposable
{
    private readonly RemoteAccessGuard _guard;
    private readonly CancellationTokenSource _cut = new();
    private string? _cutReason;

    internal RemoteAccessSession(RemoteAccessGuard guard, long id, string accountId, string userId, string deviceId, RemoteAccessRequest request, Decision decision)
    {
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

    /// <summary>Cancelled when the session must end: denied at open, or cut after a revocation.</summary>
    public CancellationToken Token => _cut.Token;

    /// <summary>Why the session was cut (the deny reason, or the re-check's failure); null while it may run.</summary>
    public string? CutReason => Volatile.Read(ref _cutReason);

    /// <summary>Closes the session: it is no longer watched.</summary>
    public void Dispose()
    {
        _guard.Close(this);
        _cut.Dispose();
    }

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
