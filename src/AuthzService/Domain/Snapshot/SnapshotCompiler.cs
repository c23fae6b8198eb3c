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
        var isDevice = new bool[nodeCount];
        var index = new Dictionary<string, int>(nodeCount, StringComparer.Ordinal);
        for (var i = 0; i < nodeCount; i++)
        {
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

        var (parents, ancestorOffsets, ancestors, cutOffCount) = CompileAncestors(nodes, index, cutOff);

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

        var (sources, tagSettings) = CompileSettings(data, index, Intern);
        var remoteAccess = new bool[nodeCount];
        var sourceView = new ArraySources(sources);
        for (var i = 0; i < nodeCount; i++)
        {
            remoteAccess[i] = RemoteAccessRule.Effective(
                sources[i],
                tagArray.AsSpan(tagOffsets[i], tagOffsets[i + 1] - tagOffsets[i]),
                tagSettings,
                ancestors.AsSpan(ancestorOffsets[i], ancestorOffsets[i + 1] - ancestorOffsets[i]),
                sourceView);
        }

        var devices = Enumerable.Range(0, nodeCount).Where(i => isDevice[i]).ToArray();
        Array.Sort(devices, (a, b) => string.CompareOrdinal(nodes[a].NodeId, nodes[b].NodeId));

        var roles = new Dictionary<string, CompiledRole>(StringComparer.Ordinal);
        foreach (var role in data.Roles)
        {
            roles[role.RoleId] = CompileRole(role, id => index.GetValueOrDefault(id, -1), Intern, skipped);
        }

        var users = new Dictionary<string, UserEntry>(data.Users.Count, StringComparer.Ordinal);
        foreach (var user in data.Users)
        {
            users[user.UserId] = CompileUser(user.UserId, user.Status == UserState.Disabled, user.RoleIds, roles, user.Email);
        }

        var chunks = new NodeChunk[(nodeCount + NodeChunk.Mask) >> NodeChunk.Bits];
        for (var c = 0; c < chunks.Length; c++)
        {
            var first = c << NodeChunk.Bits;
            var count = Math.Min(NodeChunk.Size, nodeCount - first);
            var ids = new string?[count];
            var facts = new NodeFacts[count];
            var chunkParents = new int[count];
            var ancestorBase = ancestorOffsets[first];
            var tagBase = tagOffsets[first];
            for (var k = 0; k < count; k++)
            {
                var i = first + k;
                ids[k] = nodes[i].NodeId;
                chunkParents[k] = parents[i];
                facts[k] = new NodeFacts(
                    ancestorOffsets[i] - ancestorBase,
                    tagOffsets[i] - tagBase,
                    (ushort)(ancestorOffsets[i + 1] - ancestorOffsets[i]),
                    (ushort)(tagOffsets[i + 1] - tagOffsets[i]),
                    isDevice[i],
                    remoteAccess[i],
                    sources[i]);
            }

            chunks[c] = new NodeChunk(
                ids,
                facts,
                ancestors[ancestorBase..ancestorOffsets[first + count]],
                tagArray[tagBase..tagOffsets[first + count]],
                chunkParents);
        }

        var dangling = new Dictionary<int, string>();
        for (var i = 0; i < nodeCount; i++)
        {
            if (parents[i] < 0 && nodes[i].ParentId.Length > 0 && !index.ContainsKey(nodes[i].ParentId))
            {
                dangling[i] = nodes[i].ParentId;
            }
        }

        return new AccountSnapshot(
            data.Account.AccountId,
            data.Account.Name,
            data.Account.Version,
            builtAt,
            index.Where(e => !isDevice[e.Value]).ToFrozenDictionary(StringComparer.Ordinal),
            new DeviceIdTable(devices.Select(d => (nodes[d].NodeId, d)).ToArray()),
            chunks,
            nodeCount,
            devices,
            tagNames.ToArray(),
            tagSettings,
            users.ToFrozenDictionary(StringComparer.Ordinal),
            roles.ToFrozenDictionary(StringComparer.Ordinal),
            dangling.ToFrozenDictionary(),
            cutOffCount);
    }

    /// <summary>
    /// Root-first ancestor chains, self included, in time linear in nodes x depth: a node's chain is its parent's,
    /// copied, plus itself, and parents are built before their children. A node whose chain does not reach root
    /// whole (a missing parent, a cycle, or a group deeper than <see cref="GroupTree.MaxDepth"/> below root: the
    /// store refuses all three, an older store may hold the last) gets only itself, and so does every node below
    /// it: no group grant reaches them (fail closed).
    /// </summary>
    /// <returns>Parents: the stored parent's index, -1 for none (before any cut); CutOffs: the breaks counted.</returns>
    private static (int[] Parents, int[] Offsets, int[] Ancestors, int CutOffs) CompileAncestors(
        IReadOnlyList<NodeRecord> nodes, Dictionary<string, int> index, List<string>? cutOff)
    {
        const int OnPath = -1;
        var count = nodes.Count;
        var parent = new int[count];
        for (var i = 0; i < count; i++)
        {
            parent[i] = index.TryGetValue(nodes[i].ParentId, out var p) && p != i ? p : -1;
        }

        var stored = (int[])parent.Clone();
        var cutOffs = 0;

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
                        cutOffs++;
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

        return (stored, offsets, ancestors, cutOffs);
    }

    // Root, the groups below it, and a device under the deepest group.
    private static int MaxChainLength(NodeRecord node) =>
        node.Kind == NodeKind.Device ? GroupTree.MaxDepth + 2 : GroupTree.MaxDepth + 1;

    /// <summary>Each node's own setting and agent flag, and the tags' settings by tag id.</summary>
    private static (NodeSource[] Sources, TagSetting?[] TagSettings) CompileSettings(
        AccountData data, Dictionary<string, int> index, Func<string, int> intern)
    {
        var sources = new NodeSource[data.Nodes.Count];
        for (var i = 0; i < sources.Length; i++)
        {
            sources[i] = NodeSource.None.WithAgentFlag(data.Nodes[i].AgentRemoteAccessDisabled);
        }

        var tagSettings = new Dictionary<int, TagSetting>();
        foreach (var setting in data.RemoteAccessSettings)
        {
            if (setting.TargetKind == RemoteAccessTarget.Node)
            {
                if (index.TryGetValue(setting.Target, out var node))
                {
                    sources[node] = sources[node].WithOwnSetting(setting.Enabled);
                }
            }
            else
            {
                tagSettings[intern(setting.Target)] = new TagSetting(setting.Enabled, setting.ChangedRevision);
            }
        }

        var byTag = new TagSetting?[tagSettings.Count == 0 ? 0 : tagSettings.Keys.Max() + 1];
        foreach (var (tag, setting) in tagSettings)
        {
            byTag[tag] = setting;
        }

        return (sources, byTag);
    }

    /// <param name="nodeIndex">A node's index, -1 when the account has no such node.</param>
    internal static CompiledRole CompileRole(RoleRecord role, Func<string, int> nodeIndex, Func<string, int> intern, List<string>? skipped)
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
                    EntityKind.Node => nodeIndex(filter.EntityValue),
                    _ => -1,
                };
                grants.Add(new Grant(role.RoleId, filter, entity));
            }
        }

        return new CompiledRole(role, [.. byPermission.Select(g => g?.ToArray() ?? NoGrants)]);
    }

    /// <param name="assignedRoleIds">As stored: in the user's order, maybe repeated, maybe naming missing roles.</param>
    internal static UserEntry CompileUser(
        string userId, bool disabled, IReadOnlyList<string> assignedRoleIds, IReadOnlyDictionary<string, CompiledRole> roles, string email)
    {
        var roleIds = assignedRoleIds.Distinct(StringComparer.Ordinal).Where(roles.ContainsKey).ToArray();
        var byPermission = new Grant[PermissionCatalog.Count][];
        for (var p = 0; p < PermissionCatalog.Count; p++)
        {
            List<Grant>? merged = null;
            foreach (var roleId in roleIds)
            {
                if (roles[roleId].GrantsByPermission[p] is { Length: > 0 } grants)
                {
                    (merged ??= []).AddRange(grants);
                }
            }

            byPermission[p] = merged?.ToArray() ?? NoGrants;
        }

        return new UserEntry(userId, disabled, roleIds, byPermission, assignedRoleIds, email);
    }

    /// <summary>The sources of a compile's nodes, by index.</summary>
    private readonly struct ArraySources(NodeSource[] sources) : INodeSources
    {
        public NodeSource SourceOf(int node) => sources[node];
    }
}
