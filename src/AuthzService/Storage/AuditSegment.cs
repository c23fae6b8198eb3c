using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Storage;

/// <summary>
/// Consecutive audit events of one account stored as one row of <c>audit_segments</c>: one insert for a whole
/// batch of a gateway's decisions instead of one row (and three index entries) per decision.
/// </summary>
internal sealed class AuditSegment(string accountId)
{
    /// <summary>Bounds what one page of ListAuditEvents has to decode.</summary>
    public const int MaxEvents = 1000;

    /// <summary>
    /// The newest and the oldest event of one segment lie at most this far apart: retention deletes whole segments,
    /// so an event outlives its cutoff by at most this.
    /// </summary>
    public static readonly TimeSpan MaxTimeSpread = TimeSpan.FromSeconds(1);

    private readonly List<AuditRecord> _events = [];

    public string AccountId { get; } = accountId;

    public IReadOnlyList<AuditRecord> Events => _events;

    /// <summary>Unix milliseconds of the oldest event.</summary>
    public long MinTime { get; private set; } = long.MaxValue;

    /// <summary>Unix milliseconds of the newest event.</summary>
    public long MaxTime { get; private set; } = long.MinValue;

    /// <summary>Groups <paramref name="events"/> into segments, keeping each account's events in their order.</summary>
    public static List<AuditSegment> Split(IReadOnlyList<AuditRecord> events)
    {
        var segments = new List<AuditSegment>();
        var open = new Dictionary<string, AuditSegment>(StringComparer.Ordinal);
        AuditSegment? last = null;
        foreach (var record in events)
        {
            var accountId = record.AccountId ?? string.Empty;

            // A batch is mostly one account's: skip the lookup while the account stays the same.
            var segment = last is not null && string.Equals(last.AccountId, accountId, StringComparison.Ordinal) ? last
                : open.GetValueOrDefault(accountId);
            if (segment is null || !segment.Fits(record))
            {
                segment = new AuditSegment(accountId);
                open[accountId] = segment;
                segments.Add(segment);
            }

            segment.Add(record);
            last = segment;
        }

        return segments;
    }

    /// <summary>The distinct user and device subjects of the events, hashed for <c>audit_segment_subjects</c>.</summary>
    public HashSet<long> SubjectHashes()
    {
        var hashes = new HashSet<long>();
        string? lastUser = null, lastDevice = null;
        foreach (var record in Events)
        {
            // A burst repeats its user and device: hash each run once.
            if (!string.IsNullOrEmpty(record.UserId) && !string.Equals(record.UserId, lastUser, StringComparison.Ordinal))
            {
                hashes.Add(AuditSubject.Hash(AccountId, AuditSubject.User, record.UserId));
                lastUser = record.UserId;
            }

            if (!string.IsNullOrEmpty(record.DeviceId) && !string.Equals(record.DeviceId, lastDevice, StringComparison.Ordinal))
            {
                hashes.Add(AuditSubject.Hash(AccountId, AuditSubject.Device, record.DeviceId));
                lastDevice = record.DeviceId;
            }
        }

        return hashes;
    }

    private bool Fits(AuditRecord record)
    {
        var time = record.Time.ToUnixTimeMilliseconds();
        return _events.Count < MaxEvents
            && Math.Max(MaxTime, time) - Math.Min(MinTime, time) <= (long)MaxTimeSpread.TotalMilliseconds;
    }

    private void Add(AuditRecord record)
    {
        var time = record.Time.ToUnixTimeMilliseconds();
        MinTime = Math.Min(MinTime, time);
        MaxTime = Math.Max(MaxTime, time);
        _events.Add(record);
    }
}
