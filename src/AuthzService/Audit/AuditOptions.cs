using System.ComponentModel.DataAnnotations;

namespace Qbee.Authz.Service.Audit;

/// <summary>Settings of the audit writer (section Authz:Audit).</summary>
internal sealed class AuditOptions
{
    public const string Section = "Authz:Audit";

    /// <summary>Events held in memory before checks that produce events wait for room.</summary>
    [Range(1_000, 10_000_000)]
    public int QueueCapacity { get; set; } = 100_000;

    /// <summary>Events written per transaction.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 1_000;

    /// <summary>
    /// How long the writer lets a batch fill before writing it: longer means fewer, larger transactions, but queued
    /// events outlive more collections. At 10 ms a saturating gateway's events were promoted into generation 1 and
    /// forced ~30 gen-1 collections per 300k decisions (2 ms: 1-5); at 0 every write is a commit of its own.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan MaxBatchDelay { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Days an event is kept; older ones are deleted in the background. 0: kept forever.</summary>
    [Range(0, 36_500)]
    public int RetentionDays { get; set; }

    /// <summary>How often old events are looked for.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);
}
