namespace Qbee.Authz.Service.Audit;

/// <summary>
/// One open WatchAuditEvents stream as the lag metric sees it: whose, of which account (empty: all), and the time of
/// the oldest event it has read from the store and not yet sent (null: it has sent everything it has read).
/// Disposing it closes its place among the caller's streams.
/// </summary>
internal sealed class AuditWatcher(AuditWatchers owner, string caller, string accountId) : IDisposable
{
    private long _pendingSinceTicks; // UTC ticks; 0: nothing pending

    public string Caller { get; } = caller;

    public string AccountId { get; } = accountId;

    public DateTimeOffset? PendingSince
    {
        get
        {
            var ticks = Interlocked.Read(ref _pendingSinceTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }

        set => Interlocked.Exchange(ref _pendingSinceTicks, value?.UtcTicks ?? 0);
    }

    public void Dispose() => owner.Leave(this);
}
