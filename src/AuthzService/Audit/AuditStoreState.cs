
namespace Qbee.Authz.Service.Audit;

/// <summary>Whether the store takes audit events, as the writer last saw it; while not, connect checks are refused at once.</summary>
internal sealed class AuditStoreState(TimeProvider timeProvider, ILogger logger)
{
    private volatile AuditOutage? _outage;

    public bool IsAvailable => _outage is null;

    /// <summary>Null while the store takes events.</summary>
    public AuditOutage? Outage => _outage;

    /// <summary>The writer could not commit: keeps the first moment it failed, the latest reason.</summary>
    public void Unavailable(string reason)
    {
        var current = _outage;
        if (current is null)
        {
            _outage = new AuditOutage(reason, timeProvider.GetUtcNow());
            AuditLog.AuditStoreUnavailable(logger, reason);
        }
        else if (current.Reason != reason)
        {
            _outage = current with { Reason = reason };
        }
    }

    /// <summary>A commit went through.</summary>
    public void Available()
    {
        var current = _outage;
        if (current is not null)
        {
            _outage = null;
            AuditLog.AuditStoreAvailable(logger, (timeProvider.GetUtcNow() - current.Since).TotalSeconds);
        }
    }
}

/// <summary>The store has refused audit events since <paramref name="Since"/>, the last time because of <paramref name="Reason"/>.</summary>
internal sealed record AuditOutage(string Reason, DateTimeOffset Since);
