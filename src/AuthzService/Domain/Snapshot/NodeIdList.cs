namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>The node ids of a snapshot by node index, read through its chunks (null: a deleted node).</summary>
internal readonly struct NodeIdList(NodeChunk[] chunks)
{
    public string this[int node] => chunks[node >> NodeChunk.Bits].Ids[node & NodeChunk.Mask]!;

    /// <summary>Whether the index is a node of the snapshot (not beyond its nodes, not a tombstone).</summary>
    public bool Exists(int node) =>
        node >= 0 && (node >> NodeChunk.Bits) < chunks.Length && (node & NodeChunk.Mask) < chunks[node >> NodeChunk.Bits].Count
        && chunks[node >> NodeChunk.Bits].Ids[node & NodeChunk.Mask] is not null;
}
