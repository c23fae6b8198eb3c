using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>
/// When this replica last confirmed each account current with its store: a poll that found the snapshot at the
/// store's version, or a snapshot verified against the store and swapped in (after a write or a change message).
/// Past <see cref="StalenessOptions.MaxStaleness"/> the account is stale: it is logged once when it goes stale and
/// once when it recovers.
/// </summary>
internal sealed class SyncFreshness(TimeProvider timeProvider, IOptions<StalenessOptions> options, ILogger<SyncFreshness> logger)
{
    private readonly ConcurrentDictionary<string, Entry> _accounts = new(StringComparer.Ordinal);

    public TimeSpan MaxStaleness => options.Value.MaxStaleness;

    public void Confirmed(string accountId)
    {
        var now = timeProvider.GetUtcNow().UtcTicks;
        var entry = _accounts.GetOrAdd(accountId, _ => new Entry(now));
        Volatile.Write(ref entry.ConfirmedAtTicks, now);
    }

    /// <summary>An account evicted is no longer held: nothing to keep current, never stale.</summary>
    public void Forget(string accountId) => _accounts.TryRemove(accountId, out _);

    /// <summary>Time since the account was last confirmed; null when this replica never confirmed it.</summary>
    public TimeSpan? Age(string accountId) =>
        _accounts.TryGetValue(accountId, out var entry) ? AgeOf(entry, timeProvider.GetUtcNow().UtcTicks) : null;

    /// <summary>The account confirmed longest ago and its age; (null, zero) when none is held.</summary>
    public (string? AccountId, TimeSpan Age) Oldest()
    {
        var now = timeProvider.GetUtcNow().UtcTicks;
        (string? AccountId, TimeSpan Age) oldest = (null, TimeSpan.Zero);
        foreach (var (accountId, entry) in _accounts)
        {
            var age = AgeOf(entry, now);
            if (oldest.AccountId is null || age > oldest.Age)
            {
                oldest = (accountId, age);
            }
        }

        return oldest;
    }

    public bool IsStale => Oldest().Age > MaxStaleness;

    /// <summary>Logs each account that went stale or recovered since the last review; returns whether any is stale.</summary>
    public bool Review()
    {
        var now = timeProvider.GetUtcNow().UtcTicks;
        var anyStale = false;
        foreach (var (accountId, entry) in _accounts)
        {
            var age = AgeOf(entry, now);
            var stale = age > MaxStaleness;
            anyStale |= stale;
            if (Interlocked.Exchange(ref entry.Stale, stale ? 1 : 0) != (stale ? 1 : 0))
            {
                if (stale)
                {
                    SnapshotsLog.AccountStale(logger, accountId, age.TotalSeconds, MaxStaleness.TotalSeconds);
                }
                else
                {
                    SnapshotsLog.AccountConfirmedAgain(logger, accountId);
                }
            }
        }

        return anyStale;
    }

    private static TimeSpan AgeOf(Entry entry, long nowTicks) =>
        TimeSpan.FromTicks(Math.Max(0, nowTicks - Volatile.Read(ref entry.ConfirmedAtTicks)));

    private sealed class Entry(long confirmedAtTicks)
    {
        public long ConfirmedAtTicks = confirmedAtTicks;
        public int Stale;
    }
}
