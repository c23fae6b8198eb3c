using System.ComponentModel.DataAnnotations;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>
/// How replicas agree (section Authz:Redis): Redis for change sets, compacted snapshots and change messages, polling as
/// the net.
/// </summary>
internal sealed class SyncOptions
{
    public const string SectionName = "Authz:Redis";

    /// <summary>A StackExchange.Redis configuration string; empty: no Redis (replicas converge by polling SQL).</summary>
    public string Configuration { get; set; } = string.Empty;

    /// <summary>Prefix of every key and of the change channel, so several deployments can share one Redis.</summary>
    [RegularExpression("^[A-Za-z0-9:._-]{1,64}$")]
    public string KeyPrefix { get; set; } = "qbee-authz:";

    /// <summary>How often each replica compares its revisions with Redis (or SQL when Redis is down or absent).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long an account's data in Redis (its compacted snapshot and change stream) is kept after its last write.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan SnapshotTtl { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// A new compacted snapshot of an account is written after this many change sets at most (sooner when the change
    /// sets in the stream reach half the compacted snapshot's size, which keeps Redis within about twice one snapshot).
    /// </summary>
    [Range(10, 100_000)]
    public int CompactEvery { get; set; } = 1000;

    /// <summary>... or once a write comes this long after the last compaction.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CompactInterval { get; set; } = TimeSpan.FromMinutes(5);

    public bool RedisEnabled => !string.IsNullOrWhiteSpace(Configuration);
}
