using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Storage;

/// <summary>
/// Where a node may go in its account's tree, read inside the write's transaction: the parent must exist and be a
/// group (a device's unknown parent means unassigned_group), root and unassigned_group keep their places, and a group
/// never lands inside itself or deeper than <see cref="GroupTree.MaxDepth"/>.
/// </summary>
internal sealed class SqlNodePlacement(SqlDialect sql)
{
    public Task<NodeRow?> FindNodeAsync(StoreTransaction tx, string accountId, string nodeId) =>
        tx.SingleOrDefaultAsync<NodeRow>(sql.SelectNode, new { AccountId = accountId, NodeId = nodeId });

    /// <summary>Those of <paramref name="nodeIds"/> that exist in the account, by id: a few queries however many ids.</summary>
    public async Task<Dictionary<string, NodeRow>> FindNodesAsync(StoreTransaction tx, string accountId, IReadOnlyCollection<string> nodeIds)
    {
        var found = new Dictionary<string, NodeRow>(nodeIds.Count, StringComparer.Ordinal);
        foreach (var row in await tx.QueryAsync<NodeRow>(sql.SelectNodesByIds, new { AccountId = accountId, NodeIds = SqlIdList.Json(nodeIds) }))
        {
            found[row.NodeId] = row;
        }

        return found;
    }

    /// <summary>
    /// The parent the node is stored under, after the reserved-node and defaulting rules. <paramref name="nodes"/>
    /// holds every node of the account the rules may look at (the node's requested parent, root), as the write has
    /// them so far.
    /// </summary>
    public static string ResolveParent(NodeRecord node, IReadOnlyDictionary<string, NodeRow> nodes)
    {
        var requested = node.ParentId ?? "";
        if (node.NodeId == Ids.Root)
        {
            return requested.Length == 0
                ? ""
                : throw new PreconditionFailedException("root is the top of the tree and cannot have a parent");
        }

        if (requested == node.NodeId)
        {
            throw new PreconditionFailedException($"node {node.NodeId} cannot be its own parent");
        }

        if (node.Kind == NodeKind.Group)
        {
            var parentId = requested.Length == 0 ? Ids.Root : requested;
            if (node.NodeId == Ids.UnassignedGroup && parentId != Ids.Root)
            {
                throw new PreconditionFailedException("unassigned_group must stay directly under root");
            }

            var parent = nodes.GetValueOrDefault(parentId)
                ?? throw new NotFoundException($"parent_id {parentId} not found in account {node.AccountId}");
            RequireGroupParent(parent);
            return parentId;
        }

        // A device reported under a parent we do not know yet lands where new devices land.
        if (requested.Length == 0)
        {
            return Ids.UnassignedGroup;
        }

        var deviceParent = nodes.GetValueOrDefault(requested);
        if (deviceParent is null)
        {
            return Ids.UnassignedGroup;
        }

        RequireGroupParent(deviceParent);
        return requested;
    }

    private static void RequireGroupParent(NodeRow parent)
    {
        if (parent.Kind != (long)NodeKind.Group)
        {
            throw new PreconditionFailedException($"parent_id {parent.NodeId} is a device; only a group can hold nodes");
        }
    }

    /// <summary>The account's groups and their parents, for the cycle and depth rules.</summary>
    public async Task<GroupTree> ReadTreeAsync(StoreTransaction tx, string accountId) =>
        new((await tx.QueryAsync<GroupParentRow>(sql.SelectGroupParents, new { AccountId = accountId }))
            .Select(g => (g.GroupId, g.ParentId)));

    /// <summary>
    /// A group added under, or moved (with its subtree) under, <paramref name="parentId"/>: it must not land inside
    /// itself, and no group of it may end up deeper than <see cref="GroupTree.MaxDepth"/>.
    /// </summary>
    public static void CheckPlaceInTree(GroupTree tree, string groupId, string parentId, bool moving, string field)
    {
        if (moving && tree.IsAtOrBelow(parentId, groupId))
        {
            throw new PreconditionFailedException($"group {groupId} cannot move under {parentId}, which is inside it");
        }

        var parentDepth = tree.DepthOf(parentId);
        if (parentDepth == GroupTree.Detached)
        {
            throw new PreconditionFailedException($"parent_id {parentId} is not connected to root");
        }

        var depth = parentDepth + 1;
        var height = moving ? tree.HeightBelow(groupId, GroupTree.MaxDepth) : 0;
        if (depth + height <= GroupTree.MaxDepth)
        {
            return;
        }

        var reason = height == 0
            ? $"group {groupId} would be at depth {depth} below root"
            : $"group {groupId} would be at depth {depth} below root, and the groups inside it down to depth {depth + height}";
        throw new InvalidFieldException($"{field}.parent_id", $"{reason}; the tree is at most {GroupTree.MaxDepth} groups deep");
    }
}
