namespace Qbee.Authz.Service.Domain;

/// <summary>
/// The groups of one account as parent links, for the rules a write must keep: no cycle, and at most
/// <see cref="MaxDepth"/> groups below root. Every walk is bounded, so a corrupt (cyclic) store cannot make one
/// run away. Devices are not in it: they never count towards depth.
/// </summary>
internal sealed class GroupTree
{
    /// <summary>Root is depth 0, a group directly under it depth 1.</summary>
    public const int MaxDepth = 32;

    /// <summary>What <see cref="DepthOf"/> answers for a chain that breaks off before root.</summary>
    public const int Detached = -1;

    private readonly Dictionary<string, string> _parents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _children = new(StringComparer.Ordinal);

    public GroupTree(IEnumerable<(string GroupId, string ParentId)> groups)
    {
        foreach (var (groupId, parentId) in groups)
        {
            Set(groupId, parentId);
        }
    }

    /// <summary>Adds a group, or moves it with its subtree.</summary>
    public void Set(string groupId, string parentId)
    {
        if (_parents.TryGetValue(groupId, out var old))
        {
            if (_children.TryGetValue(old, out var siblings))
            {
                siblings.Remove(groupId);
            }
        }

        _parents[groupId] = parentId;
        if (parentId.Length > 0)
        {
            if (!_children.TryGetValue(parentId, out var children))
            {
                children = [];
                _children.Add(parentId, children);
            }

            children.Add(groupId);
        }
    }

    /// <summary>
    /// The group's depth below root; <see cref="MaxDepth"/> + 1 when deeper than allowed (or cyclic), and
    /// <see cref="Detached"/> when its chain breaks off before root.
    /// </summary>
    public int DepthOf(string groupId)
    {
        var current = groupId;
        for (var depth = 0; depth <= MaxDepth; depth++)
        {
            if (current == Ids.Root)
            {
                return depth;
            }

            if (!_parents.TryGetValue(current, out var parent) || parent.Length == 0)
            {
                return Detached;
            }

            current = parent;
        }

        return MaxDepth + 1;
    }

    /// <summary>Whether <paramref name="ancestorId"/> is <paramref name="groupId"/> or a group above it.</summary>
    public bool IsAtOrBelow(string groupId, string ancestorId)
    {
        var current = groupId;
        for (var steps = 0; steps <= MaxDepth + 1; steps++)
        {
            if (current == ancestorId)
            {
                return true;
            }

            if (!_parents.TryGetValue(current, out var parent) || parent.Length == 0)
            {
                return false;
            }

            current = parent;
        }

        return false;
    }

    /// <summary>
    /// How many levels of groups hang below the group: 0 when it holds no group. Counts at most
    /// <paramref name="limit"/> + 1 levels: a subtree deeper than that answers <paramref name="limit"/> + 1.
    /// </summary>
    public int HeightBelow(string groupId, int limit)
    {
        List<string> level = [groupId];
        var next = new List<string>();
        for (var height = 0; height <= limit; height++)
        {
            next.Clear();
            foreach (var group in level)
            {
                if (_children.TryGetValue(group, out var children))
                {
                    next.AddRange(children);
                }
            }

            if (next.Count == 0)
            {
                return height;
            }

            (level, next) = (next, level);
        }

        return limit + 1;
    }
}
