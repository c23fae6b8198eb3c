namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>
/// A node's effective remote-access setting: its own, else the most recently changed among its tags (the first
/// of them on a tie), else the nearest group above it that has one, else disabled. The agent's
/// --disable-remote-access overrides everything. Shared by the compiler and the patcher so both answer alike.
/// </summary>
internal static class RemoteAccessRule
{
    /// <param name="ancestors">root first, the node itself last.</param>
    public static bool Effective<TSources>(NodeSource own, ReadOnlySpan<int> tags, TagSetting?[] tagSettings, ReadOnlySpan<int> ancestors, in TSources sources)
        where TSources : struct, INodeSources
    {
        if ((own & NodeSource.AgentRemoteAccessDisabled) != 0)
        {
            return false;
        }

        if (own.OwnSetting() is { } enabled)
        {
            return enabled;
        }

        TagSetting? latest = null;
        foreach (var tag in tags)
        {
            if (tag < tagSettings.Length && tagSettings[tag] is { } s && (latest is null || s.ChangedRevision > latest.Value.ChangedRevision))
            {
                latest = s;
            }
        }

        if (latest is { } fromTag)
        {
            return fromTag.Enabled;
        }

        // Nearest group above: walk the chain from the parent up to root.
        for (var a = ancestors.Length - 2; a >= 0; a--)
        {
            if (sources.SourceOf(ancestors[a]).OwnSetting() is { } inherited)
            {
                return inherited;
            }
        }

        return false;
    }
}

/// <summary>The <see cref="NodeSource"/> of any node, by index: a struct, so the rule's calls inline.</summary>
internal interface INodeSources
{
    NodeSource SourceOf(int node);
}
