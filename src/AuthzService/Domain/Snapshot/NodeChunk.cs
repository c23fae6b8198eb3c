namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>
/// The compiled facts of up to <see cref="Size"/> consecutive nodes, each array its own: a patch copies only the
/// chunks it touches and shares the others with the snapshot before. Ancestors and tags are flat int arrays of the
/// chunk (a node's facts say where its run starts); <see cref="Parents"/> (the stored parent's node index, -1 for
/// none) is only read by patches. A deleted node is a tombstone until the next full compile: no id, no facts.
/// </summary>
internal readonly struct NodeChunk(string?[] ids, NodeFacts[] facts, int[] ancestors, int[] tags, int[] parents)
{
    public const int Bits = 10;
    public const int Size = 1 << Bits;
    public const int Mask = Size - 1;

    public string?[] Ids { get; } = ids;

    public NodeFacts[] Facts { get; } = facts;

    public int[] Ancestors { get; } = ancestors;

    public int[] Tags { get; } = tags;

    public int[] Parents { get; } = parents;

    public int Count => Ids.Length;
}
