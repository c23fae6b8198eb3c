using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Domain;

/// <summary>
/// The nodes of one account with every parent before its children, from root down (breadth first, unassigned_group
/// first below root): the order an export streams them in and an import stores them in, so a reader can place each
/// node as it comes.
/// </summary>
internal static class NodeOrder
{
    /// <returns>
    /// Indexes into <paramref name="nodes"/>, root's first. A node that does not hang below root (no root, a parent
    /// that is not there, a cycle) is left out: the caller names it.
    /// </returns>
    public static List<int> ParentsFirst(IReadOnlyList<NodeRecord> nodes)
    {
        var children = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        int root = -1, unassigned = -1;
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            if (node.NodeId == Ids.Root)
            {
                root = i;
                continue;
            }

            if (node.NodeId == Ids.UnassignedGroup && node.ParentId == Ids.Root)
            {
                unassigned = i;
                continue;
            }

            if (!children.TryGetValue(node.ParentId, out var siblings))
            {
                siblings = [];
                children.Add(node.ParentId, siblings);
            }

            siblings.Add(i);
        }

        var order = new List<int>(nodes.Count);
        if (root < 0)
        {
            return order;
        }

        order.Add(root);
        if (unassigned >= 0)
        {
            order.Add(unassigned);
        }

        for (var next = 0; next < order.Count; next++)
        {
            // A node id appears once, so each list is taken once: a cycle never reaches root and is never entered.
            if (children.Remove(nodes[order[next]].NodeId, out var below))
            {
                order.AddRange(below);
            }
        }

        return order;
    }
}
