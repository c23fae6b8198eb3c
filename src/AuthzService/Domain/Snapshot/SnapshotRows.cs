using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>
/// The rows a snapshot was compiled from, as far as a compile reads them (no titles or names of users):
/// what a patch recompiles whole when it cannot patch (a snapshot with chains cut off, a write the store would
/// have refused). Node settings come back with revision 0: only tag settings are ordered by revision.
/// </summary>
internal static class SnapshotRows
{
    public static AccountData Of(AccountSnapshot snapshot)
    {
        var accountId = snapshot.AccountId;
        var nodes = new List<NodeRecord>(snapshot.NodeCount);
        var settings = new List<RemoteAccessSettingRecord>();
        for (var c = 0; c < snapshot.Chunks.Length; c++)
        {
            var chunk = snapshot.Chunks[c];
            for (var k = 0; k < chunk.Count; k++)
            {
                if (chunk.Ids[k] is not { } id)
                {
                    continue;
                }

                var facts = chunk.Facts[k];
                var parent = chunk.Parents[k];
                var parentId = parent >= 0 ? snapshot.NodeIds[parent]
                    : snapshot.DanglingParents.GetValueOrDefault((c << NodeChunk.Bits) + k, "");
                var tags = chunk.Tags.AsSpan(facts.TagStart, facts.TagCount).ToArray().Select(t => snapshot.TagNames[t]).ToArray();
                nodes.Add(new NodeRecord(
                    accountId,
                    id,
                    facts.IsDevice ? NodeKind.Device : NodeKind.Group,
                    parentId,
                    "",
                    tags,
                    (facts.Source & NodeSource.AgentRemoteAccessDisabled) != 0));
                if (facts.Source.OwnSetting() is { } enabled)
                {
                    settings.Add(new RemoteAccessSettingRecord(RemoteAccessTarget.Node, id, enabled, 0));
                }
            }
        }

        for (var t = 0; t < snapshot.TagSettings.Length; t++)
        {
            if (snapshot.TagSettings[t] is { } setting)
            {
                settings.Add(new RemoteAccessSettingRecord(RemoteAccessTarget.Tag, snapshot.TagNames[t], setting.Enabled, setting.ChangedRevision));
            }
        }

        return new AccountData(
            new AccountRecord(accountId, snapshot.AccountName, snapshot.Version.Revision, snapshot.Version.Stamp),
            [.. snapshot.Roles.Values.Select(r => r.Record)],
            [.. snapshot.Users.Values.Select(u => new UserRecord(
                accountId, u.UserId, u.Email, "", "", u.AssignedRoleIds, u.Disabled ? UserState.Disabled : UserState.Active))],
            nodes,
            settings);
    }
}
