using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>
/// An account's change stream in Redis after an append: what the append added, and what decides the next compaction
/// (<see cref="SnapshotCompactor"/>).
/// </summary>
/// <param name="Appended">Change sets this append added (0: another replica had appended them).</param>
/// <param name="Length">Entries in the stream.</param>
/// <param name="PendingBytes">Bytes of the change sets appended since the compacted snapshot.</param>
/// <param name="Compacted">The compacted snapshot's version; null when there is none.</param>
/// <param name="CompactedBytes">Its encoded size.</param>
/// <param name="CompactedAt">When it was written.</param>
internal sealed record StreamState(
    int Appended,
    long Length,
    long PendingBytes,
    AccountVersion? Compacted,
    long CompactedBytes,
    DateTimeOffset CompactedAt);
