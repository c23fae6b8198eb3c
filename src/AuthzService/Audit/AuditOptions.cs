using System.ComponentModel.DataAnnotations;

namespace Qbee.Authz.Service.Audit;

/// <summary>Settings of the audit writer (section Authz:Audit).</summary>
internal sealed class AuditOptions
{
    public const string SectionName = "Authz:Audit";

    /// <summary>Events held in memory before checks that produce events wait for room.</summary>
    [Range(1_000, 10_000_000)]
    public int QueueCapacity { get; set; } = 100_000;

    /// <summary>Events written per transaction.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 1_000;

    /// <summary>
    /// How long the writer lets a batch fill before writing it: longer means fewer, larger transactions, but every
    /// connect check waits for its batch's commit, so each waits this much longer. 0 (the default): it writes as
    /// soon as it is free, and the events that arrive while one batch commits form the next. It writes sooner once
    /// a few hundred events wait (see AuditWriter).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan MaxBatchDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// The longest a connect check waits for its audit event's commit when its call has no earlier deadline; then
    /// it is answered UNAVAILABLE "audit store unavailable". Commits that run longer than this (at most 1 s) mark
    /// the store unavailable, and new connect checks are refused at once until a commit goes through.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan CommitTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Days an event is kept; older ones are deleted in the background. 0: kept forever.</summary>
    [Range(0, 36_500)]
    public int RetentionDays { get; set; }

    /// <summary>How often old events are looked for.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How often an open WatchAuditEvents stream reads the store when nothing woke it: the delay of events committed
    /// by other replicas sharing the store (this replica's own commits wake its streams at once).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan WatchPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>WatchAuditEvents streams one caller may hold open at once (RESOURCE_EXHAUSTED beyond).</summary>
    [Range(1, 100_000)]
    public int MaxWatchStreamsPerCaller { get; set; } = 16;
}
