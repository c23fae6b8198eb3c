namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>The node ids of a snapshot by node index, read through its chunks (null: a deleted node).</summary>
internal readonly struct NodeIdList(NodeChunk[] chunks)
{
    public string this[int node] => chunks[node >> NodeChunk.Bits].Ids[node & NodeChunk.Mask]!;
}
