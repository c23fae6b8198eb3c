using System.Text;
using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.UnitTests.Domain;

/// <summary>
/// A snapshot as text, by ids and names rather than by its indexes: two snapshots of the same rows (one compiled,
/// one patched) must read alike. Per node its kind, ancestor chain, tags and effective remote access; the device
/// order; per user its state, roles and grants with what each resolved to.
/// </summary>
internal static class SnapshotProjection
{
    /// <param name="nodeIds">The ids to look up: the account's nodes and ids it no longer has.</param>
    public static string Of(AccountSnapshot snapshot, IEnumerable<string> nodeIds)
    {
        var text = new StringBuilder();
        text.Append("account ").Append(snapshot.AccountId).Append(' ').Append(snapshot.AccountName).Append(" at ").Append(snapshot.Version)
            .Append(", ").Append(snapshot.RoleCount).Append(" roles\n");
        var live = 0;
        foreach (var chunk in snapshot.Chunks)
        {
            live += chunk.Ids.Count(id => id is not null);
        }

        text.Append("live nodes ").Append(live).Append('\n');
        foreach (var id in nodeIds.Distinct().Order(StringComparer.Ordinal))
        {
            if (!snapshot.TryGetNode(id, out var node))
            {
                text.Append("no node ").Append(id).Append('\n');
                continue;
            }

            text.Append(snapshot.IsDevice(node) ? "device " : "group ").Append(id)
                .Append(" path ").AppendJoin(" > ", snapshot.AncestorsOf(node).ToArray().Select(a => snapshot.NodeIds[a]))
                .Append(" tags ").AppendJoin(',', snapshot.TagsOf(node).ToArray().Select(t => snapshot.TagNames[t]))
                .Append(" remote access ").Append(snapshot.RemoteAccessEnabled(node)).Append('\n');
        }

        text.Append("devices ").AppendJoin(' ', snapshot.DevicesInOrder.Select(d => snapshot.NodeIds[d][..6])).Append('\n');
        foreach (var (userId, user) in snapshot.Users.OrderBy(u => u.Key, StringComparer.Ordinal))
        {
            text.Append("user ").Append(userId).Append(user.Disabled ? " disabled" : " active")
                .Append(" roles ").AppendJoin(',', user.RoleIds).Append('\n');
            for (var p = 0; p < user.GrantsByPermission.Length; p++)
            {
                foreach (var grant in user.GrantsByPermission[p])
                {
                    text.Append("  ").Append((Qbee.Authz.Service.Domain.Permission)p).Append(' ').Append(grant.RoleId).Append(' ')
                        .Append(grant.Resource).Append(" -> ").Append(UserRights.EntityName(snapshot, grant) ?? "-").Append('\n');
                }
            }
        }

        return text.ToString();
    }
}
