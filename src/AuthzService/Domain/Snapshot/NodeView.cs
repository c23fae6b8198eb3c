namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>
/// What a check reads of one node, found with one chunk lookup: the evaluator asks for all of it, and four lookups
/// through <see cref="AccountSnapshot"/>'s single-fact accessors cost a bounds check and a chunk load each.
/// </summary>
internal readonly ref struct NodeView(ReadOnlySpan<int> ancestors, ReadOnlySpan<int> tags, bool isDevice, bool remoteAccessEnabled)
{
    /// <summary>root first, the node itself last.</summary>
    public ReadOnlySpan<int> Ancestors { get; } = ancestors;

    public ReadOnlySpan<int> Tags { get; } = tags;

    public bool IsDevice { get; } = isDevice;

    /// <summary>The effective "remote console / remote access" setting, agent flag included.</summary>
    public bool RemoteAccessEnabled { get; } = remoteAccessEnabled;
}
