using System.ComponentModel.DataAnnotations;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>How replicas agree (section Authz:Redis): Redis for snapshots and change messages, polling as the net.</summary>
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

    /// <summary>How long a stored snapshot is kept after it was written.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan SnapshotTtl { get; set; } = TimeSpan.FromDays(1);

    public bool RedisEnabled => !string.IsNullOrWhiteSpace(Configuration);
}
