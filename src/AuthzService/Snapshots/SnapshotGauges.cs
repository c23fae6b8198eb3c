using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Telemetry;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>The snapshots' state as the metrics read it.</summary>
internal sealed class SnapshotGauges(SnapshotRegistry registry, SyncFreshness freshness, RedisConnection redis) : ISnapshotGauges
{
    public IEnumerable<AccountSnapshot> Snapshots => registry.Snapshots;

    public TimeSpan OldestConfirmationAge => freshness.Oldest().Age;

    public bool? RedisConnected => redis.Enabled ? redis.IsConnected : null;
}
