using System.Collections.Frozen;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Resources;

namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>Compiles an account's SQL rows into an <see cref="AccountSnapshot"/>. Pure: no I/O.</summary>
internal static class SnapshotCompiler
{
    private static readonly Grant[] NoGrants = [];

    /// <param name="skipped">Stored resources that no longer parse: left out, so they grant nothing.</param>
    /// <param name="cutOff">The nodes where a chain breaks off before root: no group grant reaches them or the nodes below.</param>
    public static AccountSnapshot Compile(AccountData data, DateTimeOffset builtAt, List<string>? skipped = null, List<string>? cutOff = null)
    {
        var nodes = data.Nodes;
        var nodeCount = nodes.Count;
        var nodeIds = new string[nodeCount];
        var isDevice = new bool[nodeCount];
        var index = new Dictionary<string, int>(nodeCount, StringComparer.Ordinal);
        for (var i = 0; i < nodeCount; i++)
        {
            nodeIds[i] = nodes[i].NodeId;
            isDevice[i] = nodes[i].Kind == NodeKind.Device;
            index[nodes[i].NodeId] = i;
        }

        var tagIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var tagNames = new List<string>();
        int Intern(string tag)
        {
            if (!tagIndex.TryGetValue(tag, out var id))
            {
                id = tagNames.Count;
                tagIndex.Add(tag, id);
                tagNames.Add(tag);
            }

            return id;
        }

        var (ancestorOffsets, ancestors) = CompileAncestors(nodes, index, cutOff);

        var tagOffsets = new int[nodeCount + 1];
        var tags = new List<int>(nodeCount);
        for (var i = 0; i < nodeCount; i++)
        {
            tagOffsets[i] = tags.Count;
            foreach (var tag in nodes[i].Tags)
            {
                var id = Intern(tag);
                if (!System.Runtime.InteropServices.CollectionsMarshal.AsSpan(tags)[tagOffsets[i]..].Contains(id))
                {
                    tags.Add(id);
                }
            }
        }

        tagOffsets[nodeCount] = tags.Count;
        var tagArray = tags.ToArray();

        var remoteAccess = CompileRemoteAccess(data, index, ancestorOffsets, ancestors, tagOffsets, tagArray, Intern);

        var devices = Enumerable.Range(0, nodeCount).Where(i => isDevice[i]).ToArray();
        Array.Sort(devices, (a, b) => string.CompareOrdinal(nodeIds[a], nodeIds[b]));

        var roleGrants = new Dictionary<string, List<Grant>[]>(StringComparer.Ordinal);
        foreach (var role in data.Roles)
        {
            roleGrants[role.RoleId] = CompileRole(role, index, Intern, skipped);
        }

        var users = new Dictionary<string, UserEntry>(data.Users.Count, StringComparer.Ordinal);
        foreach (var user in data.Users)
        {
            users[user.UserId] = CompileUser(user, roleGrants);
        }

        return new AccountSnapshot(
            data.Account.AccountId,
            data.Account.Name,
            data.Account.Version,
            builtAt,
            index.Where(e => !isDevice[e.Value]).ToFrozenDictionary(StringComparer.Ordinal),
            new DeviceIdTable(devices.Select(d => (nodeIds[d], d)).ToArray()),
            nodeIds,
            isDevice,
            ancestorOffsets,
            ancestors,
            tagOffsets,
            tagArray,
            remoteAccess,
            devices,
            tagNames.ToArray(),
            users.ToFrozenDictionary(StringComparer.Ordinal),
            data.Roles.Count);
    }

    /// <summary>
    /// Root-first ancestor chains, self included, in time linear in nodes x depth: a node's chain is its parent's,
    /// copied, plus itself, and parents are built before their children. A node whose chain does not reach root
    /// whole (a missing parent, a cycle, or a group deeper than <see cref="GroupTree.MaxDepth"/> below root: the
    /// store refuses all three, an older store may hold the last) gets only itself, and so does every node below
    /// it: no group grant reaches them (fail closed).
    /// </summary>
    private static (int[] Offsets, int[] Ancestors) CompileAncestors(
        IReadOnlyList<NodeRecord> nodes, Dictionary<string, int> index, List<string>? cutOff)
    {
        const int OnPath = -1;
        var count = nodes.Count;
        var parent = new int[count];
        for (var i = 0; i < count; i++)
        {
            parent[i] = index.TryGetValue(nodes[i].ParentId, out var p) && p != i ? p : -1;
        }

        // Chain lengths (0: not known yet). Each walk climbs only to the first node already known, so every node
        // is walked once; the nodes of a walk are then settled top-down, the order the chains are copied in.
        var length = new int[count];
        var attached = new bool[count];
        var order = new int[count];
        var ordered = 0;
        var path = new List<int>();
        for (var i = 0; i < count; i++)
        {
            if (length[i] != 0)
            {
                continue;
            }

            path.Clear();
            var n = i;
            while (n >= 0 && length[n] == 0)
            {
                length[n] = OnPath;
                path.Add(n);
                n = parent[n];
            }

            if (n >= 0 && length[n] == OnPath)
            {
                // The walk closed a cycle: none of its nodes reaches root.
                for (var k = path.IndexOf(n); k < path.Count; k++)
                {
                    parent[path[k]] = -1;
                }
            }

            for (var k = path.Count - 1; k >= 0; k--)
            {
                var node = path[k];
                var p = parent[node];
                var reachesRoot = p < 0 ? nodes[node].NodeId == Ids.Root : attached[p];
                var chain = p < 0 ? 1 : length[p] + 1;
                if (!reachesRoot || chain > MaxChainLength(nodes[node]))
                {
                    // The break is here (not inherited from a parent cut off already).
                    if (p < 0 || attached[p])
                    {
                        cutOff?.Add(nodes[node].NodeId);
                    }

                    reachesRoot = false;
                    parent[node] = -1;
                    chain = 1;
                }

                attached[node] = reachesRoot;
                length[node] = chain;
                order[ordered++] = node;
            }
        }

        var offsets = new int[count + 1];
        for (var i = 0; i < count; i++)
        {
            offsets[i + 1] = offsets[i] + length[i];
        }

        var ancestors = new int[offsets[count]];
        foreach (var node in order)
        {
            var p = parent[node];
            if (p >= 0)
            {
                Array.Copy(ancestors, offsets[p], ancestors, offsets[node], length[p]);
            }

            ancestors[offsets[node] + length[node] - 1] = node;
        }

        return (offsets, ancestors);
    }

    // Root, the groups below it, and a device under the deepest group.
    private static int MaxChainLength(NodeRecord node) =>
        node.Kind == NodeKind.Device ? GroupTree.MaxDepth + 2 : GroupTree.MaxDepth + 1;

    /// <summary>
    /// The effective setting per node: its own, else the most recently changed among its tags, else the nearest
    /// group above it that has one, else disabled. The agent's --disable-remote-access overrides everything.
    /// </summary>
    private static bool[] CompileRemoteAccess(
        AccountData data,
        Dictionary<string, int> index,
        int[] ancestorOffsets,
        int[] ancestors,
        int[] tagOffsets,
        int[] tags,
        Func<string, int> intern)
    {
        var count = data.Nodes.Count;
        var nodeSetting = new bool?[count];
        var tagSetting = new Dictionary<int, (bool Enabled, long Changed)>();
        foreach (var setting in data.RemoteAccessSettings)
        {
            if (setting.TargetKind == RemoteAccessTarget.Node)
            {
                if (index.TryGetValue(setting.Target, out var node))
                {
                    nodeSetting[node] = setting.Enabled;
                }
            }
            else
            {
                tagSetting[intern(setting.Target)] = (setting.Enabled, setting.ChangedRevision);
            }
        }

        var effective = new bool[count];
        for (var i = 0; i < count; i++)
        {
            if (data.Nodes[i].AgentRemoteAccessDisabled)
            {
                continue;
            }

            if (nodeSetting[i] is { } own)
            {
                effective[i] = own;
                continue;
            }

            (bool Enabled, long Changed)? latest = null;
            for (var t = tagOffsets[i]; t < tagOffsets[i + 1]; t++)
            {
                if (tagSetting.TryGetValue(tags[t], out var s) && (latest is null || s.Changed > latest.Value.Changed))
                {
                    latest = s;
                }
            }

            if (latest is { } fromTag)
            {
                effective[i] = fromTag.Enabled;
                continue;
            }

            // Nearest group above: walk the chain from the parent up to root.
            for (var a = ancestorOffsets[i + 1] - 2; a >= ancestorOffsets[i]; a--)
            {
                if (nodeSetting[ancestors[a]] is { } inherited)
                {
                    effective[i] = inherited;
                    break;
                }
            }
        }

        return effective;
    }

    private static List<Grant>[] CompileRole(RoleRecord role, Dictionary<string, int> nodes, Func<string, int> intern, List<string>? skipped)
    {
        var byPermission = new List<Grant>[PermissionCatalog.Count];
        foreach (var policy in role.Policies)
        {
            if (!PermissionCatalog.TryResolve(policy.Permission, out var permission))
            {
                skipped?.Add($"role {role.RoleId}: unknown permission '{policy.Permission}'");
                continue;
            }

            var grants = byPermission[(int)permission] ??= [];
            if (policy.Resources.Count == 0)
            {
                grants.Add(new Grant(role.RoleId, ResourceFilter.Everything, -1));
                continue;
            }

            var restrictable = PermissionCatalog.IsRestrictable(permission);
            foreach (var text in policy.Resources)
            {
                ResourceFilter filter;
                try
                {
                    filter = ResourceParser.Parse(text, permission == Permission.RemoteAccessConnect);
                }
                catch (ResourceSyntaxException e)
                {
                    skipped?.Add($"role {role.RoleId}: resource '{text}' {e.Message}");
                    continue;
                }

                if (!restrictable && !filter.IsUnrestricted)
                {
                    skipped?.Add($"role {role.RoleId}: resource '{text}' on non-restrictable {policy.Permission}");
                    continue;
                }

                var entity = filter.Entity switch
                {
                    EntityKind.Tag => intern(filter.EntityValue),
                    EntityKind.Node => nodes.GetValueOrDefault(filter.EntityValue, -1),
                    _ => -1,
                };
                grants.Add(new Grant(role.RoleId, filter, entity));
            }
        }

        return byPermission;
    }

    private static UserEntry CompileUser(UserRecord user, Dictionary<string, List<Grant>[]> roleGrants)
    {
        var roleIds = user.RoleIds.Distinct(StringComparer.Ordinal).Where(roleGrants.ContainsKey).ToArray();
        var byPermission = new Grant[PermissionCatalog.Count][];
        for (var p = 0; p < PermissionCatalog.Count; p++)
        {
            List<Grant>? merged = null;
            foreach (var roleId in roleIds)
            {
                if (roleGrants[roleId][p] is { Count: > 0 } grants)
                {
                    (merged ??= []).AddRange(grants);
                }
            }

            byPermission[p] = merged?.ToArray() ?? NoGrants;
        }

        return new UserEntry(user.UserId, user.Status == UserState.Disabled, roleIds, byPermission);
    }
}
