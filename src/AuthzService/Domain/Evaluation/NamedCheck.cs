using System.Text;
using Qbee.Authz.Service.Domain.Resources;
using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.Domain.Evaluation;

/// <summary>
/// A check by the ids a request names: the node looked up (for restrictable permissions only; a node of the
/// wrong kind counts as missing), then <see cref="Evaluator.Check"/>. The one path the check engine, the tests
/// and the benchmarks share; it allocates nothing.
/// </summary>
internal static class NamedCheck
{
    /// <param name="snapshot">The user's account; null when no account has the user.</param>
    /// <param name="user">The user in <paramref name="snapshot"/>; null when it is not there.</param>
    /// <param name="nodeId">The node named; null: none.</param>
    public static Decision Decide(
        AccountSnapshot? snapshot,
        UserEntry? user,
        Permission permission,
        string? nodeId,
        NodeNaming naming,
        in RemoteAccessQuery query,
        StringBuilder? explain = null)
    {
        if (snapshot is null)
        {
            explain?.Append("No account has this user. ");
            return Decision.Deny(DecisionReason.UserNotFound, 0);
        }

        var node = -1;
        var missing = false;
        if (nodeId is not null && PermissionCatalog.IsRestrictable(permission))
        {
            missing = !snapshot.TryGetNode(nodeId, out node) || !Fits(snapshot.IsDevice(node), naming);
            if (missing)
            {
                node = -1;
            }
        }

        return Evaluator.Check(snapshot, user, permission, node, missing, query, explain);
    }

    private static bool Fits(bool isDevice, NodeNaming naming) => naming switch
    {
        NodeNaming.Device => isDevice,
        NodeNaming.Group => !isDevice,
        _ => true,
    };
}
