using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.Telemetry;

/// <summary>What the snapshot gauges read, implemented in Snapshots: the metrics observe it without importing it.</summary>
internal interface ISnapshotGauges
{
    /// <summary>The snapshot each account answers from.</summary>
    IEnumerable<AccountSnapshot> Snapshots { get; }

    /// <summary>Time since the account confirmed longest ago was last confirmed current with the store.</summary>
    TimeSpan OldestConfirmationAge { get; }

    /// <summary>Whether Redis is connected; null without Redis.</summary>
    bool? RedisConnected { get; }
}
