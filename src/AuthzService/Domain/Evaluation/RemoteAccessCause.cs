using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.Domain.Evaluation;

/// <summary>
/// Names what turns remote access off for a node, read in the order of <see cref="RemoteAccessRule"/> (agent flag,
/// own setting, most recently changed tag setting, nearest group above, none): the sentence ListDeviceUsers gives when
/// nobody may connect. Only asked when the snapshot says the node does not accept remote access.
/// </summary>
internal static class RemoteAccessCause
{
    public static string Of(AccountSnapshot snapshot, int node)
    {
        var facts = snapshot.Facts(node);
        var name = $"{(facts.IsDevice ? "device" : "group")} {snapshot.NodeIds[node]}";
        if ((facts.Source & NodeSource.AgentRemoteAccessDisabled) != 0)
        {
            return $"the agent of {name} was started with --disable-remote-access";
        }

        if (facts.Source.OwnSetting() == false)
        {
            return $"the remote-access setting of {name} itself is disabled";
        }

        var latest = -1;
        foreach (var tag in snapshot.TagsOf(node))
        {
            if (tag < snapshot.TagSettings.Length && snapshot.TagSettings[tag] is { } s
                && (latest < 0 || s.ChangedRevision > snapshot.TagSettings[latest]!.Value.ChangedRevision))
            {
                latest = tag;
            }
        }

        if (latest >= 0)
        {
            return $"the remote-access setting of tag {snapshot.TagNames[latest]} (the most recently changed among the tags of {name}) is disabled";
        }

        var ancestors = snapshot.AncestorsOf(node);
        for (var a = ancestors.Length - 2; a >= 0; a--)
        {
            if (snapshot.Facts(ancestors[a]).Source.OwnSetting() == false)
            {
                var group = snapshot.NodeIds[ancestors[a]];
                return group == Ids.Root
                    ? $"the account's remote-access setting (on root, inherited by {name}) is disabled"
                    : $"the remote-access setting of group {group} (inherited by {name}) is disabled";
            }
        }

        return $"no setting enables remote access for {name} (it is off until enabled on the device, a tag, a group or the account)";
    }
}
