using System.Collections.Frozen;
using Qbee.Authz.Service.Domain.Changes;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Resources;

namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>
/// One change set applied onto one snapshot: first the changes are recorded onto copies of what they touch (the
/// chunks of the nodes put or deleted, the shards of the devices added or removed, the roles and the users put),
/// then what follows from them is recomputed: the chains of the nodes moved and of the nodes below them, the
/// effective remote access of the nodes whose inputs changed, the roles naming a node that came or went, the
/// holders of the roles changed. The rest is shared with the snapshot before.
/// </summary>
/// <remarks>
/// The nodes below a moved group, below a group whose setting changed, and the carriers of a tag whose setting
/// changed are found by one scan of the chunks' int arrays (no index is kept: it would cost every patch and every
/// compile, and the scan allocates nothing). Three things are copied whole, each only when its kind changed: the
/// users' dictionary when a user's entry changes (O(users)), the group index when a group comes or goes (O(groups)),
/// and the device order when a device comes or goes (one merge pass over an int array, O(devices)). A write the store would have refused (a missing or non-group parent,
/// a cycle, a chain deeper than <see cref="GroupTree.MaxDepth"/>, a group deleted with nodes below it) or a
/// snapshot with chains cut off makes <see cref="TryApply"/> return null: the caller recompiles the whole
/// account, so cut-off chains keep the compiler's semantics exactly.
/// </remarks>
internal sealed class SnapshotPatch
{
    private static readonly int[] NoInts = [];

    private readonly AccountSnapshot _before;
    private readonly List<string>? _skipped;
    private readonly Dictionary<int, ChunkWork> _work = [];
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal); // id -> index, -1: deleted
    private readonly Dictionary<int, int[]> _tags = [];
    private readonly Dictionary<int, int[]> _chains = [];
    private readonly HashSet<int> _moved = [];
    private readonly HashSet<int> _inputsChanged = [];
    private readonly HashSet<int> _settingChanged = [];
    private readonly HashSet<int> _tagSettingChanged = [];
    private readonly HashSet<int> _deleted = [];
    private readonly HashSet<string> _nodesComeOrGone = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RoleRecord?> _rolePuts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, UserRecord?> _userPuts = new(StringComparer.Ordinal);
    private readonly List<int> _addedDevices = [];
    private readonly HashSet<int> _removedDevices = [];
    private DeviceIdTable.Builder? _devices;
    private Dictionary<string, int>? _groups;
    private List<string>? _tagNames;
    private Dictionary<string, int>? _tagIndex;
    private TagSetting?[] _tagSettings;
    private string _accountName;
    private int _nodeCount;

    private SnapshotPatch(AccountSnapshot before, List<string>? skipped)
    {
        _before = before;
        _skipped = skipped;
        _tagSettings = before.TagSettings;
        _accountName = before.AccountName;
        _nodeCount = before.NodeCount;
    }

    /// <returns>Null when the patch cannot keep the compiler's semantics: recompile instead.</returns>
    public static PatchedSnapshot? TryApply(AccountSnapshot before, ChangeSet changes, DateTimeOffset builtAt, List<string>? skipped)
    {
        if (before.CutOffCount > 0)
        {
            return null;
        }

        var patch = new SnapshotPatch(before, skipped);
        foreach (var change in changes.Changes)
        {
            if (!patch.Record(change))
            {
                return null;
            }
        }

        return patch.Finish(changes.Version, builtAt);
    }

    private bool Record(Change change)
    {
        switch (change)
        {
            case AccountPut put:
                _accountName = put.Name;
                return true;
            case RolePut put:
                _rolePuts[put.Role.RoleId] = put.Role;
                return true;
            case RoleDeleted deleted:
                _rolePuts[deleted.RoleId] = null;
                return true;
            case UserPut put:
                _userPuts[put.User.UserId] = put.User;
                return true;
            case UserDeleted deleted:
                _userPuts[deleted.UserId] = null;
                return true;
            case NodePut put:
                return PutNode(put.Node);
            case NodeDeleted deleted:
                DeleteNode(deleted.NodeId);
                return true;
            case RemoteAccessChanged setting:
                return ChangeSetting(setting);
            default:
                throw new InvalidOperationException($"unknown change {change.GetType().Name}");
        }
    }

    private bool PutNode(NodeRecord record)
    {
        var isDevice = record.Kind == NodeKind.Device;
        int parent;
        if (record.ParentId.Length == 0)
        {
            parent = -1;
            if (record.NodeId != Ids.Root)
            {
                return false;
            }
        }
        else if (!TryFind(record.ParentId, out parent) || IsDeviceNow(parent) || record.ParentId == record.NodeId)
        {
            return false;
        }

        var tags = Intern(record.Tags);
        if (TryFind(record.NodeId, out var node))
        {
            if (IsDeviceNow(node) != isDevice)
            {
                return false;
            }

            var chunk = Work(node);
            var k = node & NodeChunk.Mask;
            if (chunk.Parents[k] != parent)
            {
                chunk.Parents[k] = parent;
                _moved.Add(node);
            }

            if (!TagsNow(node).SequenceEqual(tags))
            {
                _tags[node] = tags;
                _inputsChanged.Add(node);
                chunk.Repack = true;
            }

            var source = chunk.Facts[k].Source.WithAgentFlag(record.AgentRemoteAccessDisabled);
            if (source != chunk.Facts[k].Source)
            {
                chunk.Facts[k] = chunk.Facts[k] with { Source = source };
                _inputsChanged.Add(node);
            }

            return true;
        }

        node = _nodeCount++;
        var added = Work(node);
        var at = node & NodeChunk.Mask;
        added.Append(at);
        added.Ids[at] = record.NodeId;
        added.Parents[at] = parent;
        added.Facts[at] = new NodeFacts(0, 0, 0, 0, isDevice, false, NodeSource.None.WithAgentFlag(record.AgentRemoteAccessDisabled));
        _tags[node] = tags;
        _moved.Add(node);
        _inputsChanged.Add(node);
        _ids[record.NodeId] = node;
        _nodesComeOrGone.Add(record.NodeId);
        if (isDevice)
        {
            (_devices ??= _before.DeviceIndex.ToBuilder()).Set(record.NodeId, node);
            _addedDevices.Add(node);
        }
        else
        {
            (_groups ??= new Dictionary<string, int>(_before.GroupIndex, StringComparer.Ordinal))[record.NodeId] = node;
        }

        return true;
    }

    private void DeleteNode(string nodeId)
    {
        if (!TryFind(nodeId, out var node))
        {
            return;
        }

        var chunk = Work(node);
        var k = node & NodeChunk.Mask;
        if (chunk.Facts[k].IsDevice)
        {
            (_devices ??= _before.DeviceIndex.ToBuilder()).Remove(nodeId);
            if (!_addedDevices.Remove(node))
            {
                _removedDevices.Add(node);
            }
        }
        else
        {
            (_groups ??= new Dictionary<string, int>(_before.GroupIndex, StringComparer.Ordinal)).Remove(nodeId);
        }

        chunk.Ids[k] = null;
        chunk.Parents[k] = -1;
        chunk.Facts[k] = default;
        chunk.Repack = true;
        _ids[nodeId] = -1;
        _tags.Remove(node);
        _moved.Remove(node);
        _inputsChanged.Remove(node);
        _settingChanged.Remove(node);
        _deleted.Add(node);
        _nodesComeOrGone.Add(nodeId);
    }

    private bool ChangeSetting(RemoteAccessChanged setting)
    {
        if (setting.TargetKind == RemoteAccessTarget.Tag)
        {
            var tag = Intern(setting.Target);
            if (tag >= _tagSettings.Length)
            {
                Array.Resize(ref _tagSettings, tag + 1);
            }
            else if (ReferenceEquals(_tagSettings, _before.TagSettings))
            {
                _tagSettings = (TagSetting?[])_tagSettings.Clone();
            }

            _tagSettings[tag] = setting.Enabled is { } enabled ? new TagSetting(enabled, setting.ChangedRevision) : null;
            _tagSettingChanged.Add(tag);
            return true;
        }

        if (!TryFind(setting.Target, out var node))
        {
            // Clearing a setting that is not there is nothing; a setting on a missing node the store refuses.
            return setting.Enabled is null;
        }

        var chunk = Work(node);
        var k = node & NodeChunk.Mask;
        chunk.Facts[k] = chunk.Facts[k] with { Source = chunk.Facts[k].Source.WithOwnSetting(setting.Enabled) };
        _settingChanged.Add(node);
        return true;
    }

    private PatchedSnapshot? Finish(AccountVersion version, DateTimeOffset builtAt)
    {
        if (!ChildrenOfDeletedGone() || !Rechain())
        {
            return null;
        }

        var touched = Reevaluate();
        Repack();
        var (roles, changedRoles) = Roles();
        var (users, changedUsers) = Users(roles, changedRoles);
        var after = new AccountSnapshot(
            _before.AccountId,
            _accountName,
            version,
            builtAt,
            _groups?.ToFrozenDictionary(StringComparer.Ordinal) ?? _before.GroupIndex,
            _devices?.Build() ?? _before.DeviceIndex,
            Chunks(),
            _nodeCount,
            DevicesInOrder(),
            _tagNames is null ? _before.TagNames : [.. _tagNames],
            _tagSettings,
            users,
            roles,
            _before.DanglingParents,
            0);

        var beforeDevices = touched.Where(n => _before.NodeIds.Exists(n) && _before.IsDevice(n));
        return new PatchedSnapshot(
            after,
            changedUsers,
            RevocationDiff.UsersWhoseRightsMayHaveShrunk(_before, after, changedUsers, beforeDevices));
    }

    /// <summary>A group deleted with nodes still below it: the compiler would cut them off.</summary>
    private bool ChildrenOfDeletedGone()
    {
        var groups = _deleted.Where(n => _before.NodeIds.Exists(n) && !_before.IsDevice(n)).ToHashSet();
        if (groups.Count == 0)
        {
            return true;
        }

        for (var c = 0; c < ChunkCount; c++)
        {
            var (ids, parents) = _work.TryGetValue(c, out var work) ? (work.Ids, work.Parents) : (_before.Chunks[c].Ids, _before.Chunks[c].Parents);
            for (var k = 0; k < ids.Length; k++)
            {
                if (ids[k] is not null && groups.Contains(parents[k]))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>New chains for the nodes moved or added and for the nodes below the groups moved.</summary>
    private bool Rechain()
    {
        var stale = new HashSet<int>(_moved);
        var movedGroups = _moved.Where(n => _before.NodeIds.Exists(n) && !_before.IsDevice(n)).ToHashSet();
        if (movedGroups.Count > 0)
        {
            // Below a moved group before = below it now, unless moved itself (then it is stale already).
            for (var c = 0; c < _before.Chunks.Length; c++)
            {
                var chunk = _before.Chunks[c];
                for (var k = 0; k < chunk.Count; k++)
                {
                    var facts = chunk.Facts[k];
                    if (chunk.Ids[k] is not null && Overlaps(chunk.Ancestors.AsSpan(facts.AncestorStart, facts.AncestorCount - 1), movedGroups))
                    {
                        stale.Add((c << NodeChunk.Bits) + k);
                    }
                }
            }

            stale.RemoveWhere(node => IdNow(node) is null);
        }

        var inProgress = new HashSet<int>();
        foreach (var node in stale)
        {
            if (ChainOf(node, stale, inProgress) is null)
            {
                return false;
            }

            Work(node).Repack = true;
            _inputsChanged.Add(node);
        }

        return true;
    }

    /// <returns>Null where the compiler would cut the chain off: no root above, a cycle, too deep.</returns>
    private int[]? ChainOf(int node, HashSet<int> stale, HashSet<int> inProgress)
    {
        if (_chains.TryGetValue(node, out var known))
        {
            return known;
        }

        if (!inProgress.Add(node))
        {
            return null;
        }

        var parent = ParentNow(node);
        ReadOnlySpan<int> above;
        if (parent < 0)
        {
            if (IdNow(node) != Ids.Root)
            {
                return null;
            }

            above = [];
        }
        else if (IdNow(parent) is null)
        {
            return null;
        }
        else if (stale.Contains(parent))
        {
            var chain = ChainOf(parent, stale, inProgress);
            if (chain is null)
            {
                return null;
            }

            above = chain;
        }
        else
        {
            above = _before.AncestorsOf(parent);
        }

        if (above.Length + 1 > (IsDeviceNow(node) ? GroupTree.MaxDepth + 2 : GroupTree.MaxDepth + 1))
        {
            return null;
        }

        var own = new int[above.Length + 1];
        above.CopyTo(own);
        own[^1] = node;
        _chains[node] = own;
        inProgress.Remove(node);
        return own;
    }

    /// <summary>
    /// The effective remote access of every node whose inputs changed: its own (tags, agent flag, setting, chain),
    /// the nodes below a group whose setting changed, the carriers of a tag whose setting changed.
    /// </summary>
    /// <returns>Every node touched, deleted ones included (for the revocations).</returns>
    private HashSet<int> Reevaluate()
    {
        var targets = new HashSet<int>(_inputsChanged);
        targets.UnionWith(_settingChanged);
        var settingGroups = _settingChanged.Where(n => !IsDeviceNow(n)).ToHashSet();
        if (settingGroups.Count > 0 || _tagSettingChanged.Count > 0)
        {
            for (var c = 0; c < ChunkCount; c++)
            {
                var ids = _work.TryGetValue(c, out var work) ? work.Ids : _before.Chunks[c].Ids;
                for (var k = 0; k < ids.Length; k++)
                {
                    var node = (c << NodeChunk.Bits) + k;
                    if (ids[k] is not null
                        && ((settingGroups.Count > 0 && Overlaps(ChainNow(node), settingGroups))
                            || (_tagSettingChanged.Count > 0 && Overlaps(TagsNow(node), _tagSettingChanged))))
                    {
                        targets.Add(node);
                    }
                }
            }
        }

        var sources = new PatchSources(this);
        foreach (var node in targets)
        {
            if (IdNow(node) is null)
            {
                continue;
            }

            var facts = FactsNow(node);
            var enabled = RemoteAccessRule.Effective(facts.Source, TagsNow(node), _tagSettings, ChainNow(node), sources);
            if (enabled != facts.RemoteAccessEnabled)
            {
                var chunk = Work(node);
                chunk.Facts[node & NodeChunk.Mask] = facts with { RemoteAccessEnabled = enabled };
            }
        }

        targets.UnionWith(_deleted);
        return targets;
    }

    private static bool Overlaps(ReadOnlySpan<int> values, HashSet<int> set)
    {
        foreach (var value in values)
        {
            if (set.Contains(value))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>New ancestor and tag arrays for the chunks where a chain or tags changed.</summary>
    private void Repack()
    {
        foreach (var (c, chunk) in _work)
        {
            if (!chunk.Repack)
            {
                continue;
            }

            var first = c << NodeChunk.Bits;
            int ancestorCount = 0, tagCount = 0;
            for (var k = 0; k < chunk.Count; k++)
            {
                if (chunk.Ids[k] is not null)
                {
                    ancestorCount += ChainNow(first + k).Length;
                    tagCount += TagsNow(first + k).Length;
                }
            }

            var ancestors = new int[ancestorCount];
            var tags = new int[tagCount];
            int a = 0, t = 0;
            for (var k = 0; k < chunk.Count; k++)
            {
                if (chunk.Ids[k] is null)
                {
                    continue;
                }

                var chain = ChainNow(first + k);
                var own = TagsNow(first + k);
                chain.CopyTo(ancestors.AsSpan(a));
                own.CopyTo(tags.AsSpan(t));
                chunk.Facts[k] = chunk.Facts[k] with { AncestorStart = a, AncestorCount = (ushort)chain.Length, TagStart = t, TagCount = (ushort)own.Length };
                a += chain.Length;
                t += own.Length;
            }

            chunk.Ancestors = ancestors;
            chunk.Tags = tags;
        }
    }

    /// <summary>The roles put or deleted compiled, and the roles whose node: grants name a node that came or went re-resolved.</summary>
    private (FrozenDictionary<string, CompiledRole> Roles, HashSet<string> Changed) Roles()
    {
        var changed = new HashSet<string>(StringComparer.Ordinal);
        if (_rolePuts.Count == 0 && _nodesComeOrGone.Count == 0)
        {
            return (_before.Roles, changed);
        }

        var roles = new Dictionary<string, CompiledRole>(_before.Roles, StringComparer.Ordinal);
        foreach (var (roleId, record) in _rolePuts)
        {
            if (record is null)
            {
                if (roles.Remove(roleId))
                {
                    changed.Add(roleId);
                }
            }
            else
            {
                roles[roleId] = SnapshotCompiler.CompileRole(record, IndexOf, Intern, _skipped);
                changed.Add(roleId);
            }
        }

        if (_nodesComeOrGone.Count > 0)
        {
            foreach (var (roleId, role) in roles)
            {
                if (!_rolePuts.ContainsKey(roleId) && role.GrantsByPermission.Any(grants => grants.Any(NamesANodeComeOrGone)))
                {
                    roles[roleId] = new CompiledRole(role.Record, [.. role.GrantsByPermission.Select(grants => grants.Select(
                        g => NamesANodeComeOrGone(g) ? new Grant(g.RoleId, g.Filter, IndexOf(g.Filter.EntityValue)) : g).ToArray())]);
                    changed.Add(roleId);
                }
            }
        }

        return (changed.Count == 0 ? _before.Roles : roles.ToFrozenDictionary(StringComparer.Ordinal), changed);
    }

    private bool NamesANodeComeOrGone(Grant grant) => grant.Entity == EntityKind.Node && _nodesComeOrGone.Contains(grant.Filter.EntityValue);

    /// <summary>The users put or deleted, and the holders of the roles changed, compiled again.</summary>
    private (FrozenDictionary<string, UserEntry> Users, List<string> Changed) Users(FrozenDictionary<string, CompiledRole> roles, HashSet<string> changedRoles)
    {
        var recompiled = new Dictionary<string, UserEntry?>(StringComparer.Ordinal);
        foreach (var (userId, record) in _userPuts)
        {
            recompiled[userId] = record is null ? null
                : SnapshotCompiler.CompileUser(userId, record.Status == UserState.Disabled, record.RoleIds, roles, record.Email);
        }

        if (changedRoles.Count > 0)
        {
            foreach (var (userId, entry) in _before.Users)
            {
                if (!_userPuts.ContainsKey(userId) && entry.AssignedRoleIds.Any(changedRoles.Contains))
                {
                    recompiled[userId] = SnapshotCompiler.CompileUser(userId, entry.Disabled, entry.AssignedRoleIds, roles, entry.Email);
                }
            }
        }

        var changed = recompiled.Where(u => u.Value is not null || _before.Users.ContainsKey(u.Key)).Select(u => u.Key).ToList();
        if (changed.Count == 0)
        {
            return (_before.Users, changed);
        }

        var users = new Dictionary<string, UserEntry>(_before.Users, StringComparer.Ordinal);
        foreach (var (userId, entry) in recompiled)
        {
            if (entry is null)
            {
                users.Remove(userId);
            }
            else
            {
                users[userId] = entry;
            }
        }

        return (users.ToFrozenDictionary(StringComparer.Ordinal), changed);
    }

    private NodeChunk[] Chunks()
    {
        if (_work.Count == 0)
        {
            return _before.Chunks;
        }

        var chunks = new NodeChunk[(_nodeCount + NodeChunk.Mask) >> NodeChunk.Bits];
        Array.Copy(_before.Chunks, chunks, Math.Min(chunks.Length, _before.Chunks.Length));
        foreach (var (c, work) in _work)
        {
            var before = c < _before.Chunks.Length ? _before.Chunks[c] : default;
            chunks[c] = new NodeChunk(
                work.Ids[..work.Count],
                work.Facts[..work.Count],
                work.Ancestors ?? before.Ancestors,
                work.Tags ?? before.Tags,
                work.Parents[..work.Count]);
        }

        return chunks;
    }

    /// <summary>The devices removed taken out and the devices added merged in, in one pass (a copy of the int array).</summary>
    private int[] DevicesInOrder()
    {
        if (_addedDevices.Count == 0 && _removedDevices.Count == 0)
        {
            return _before.DevicesInOrder;
        }

        var added = _addedDevices.OrderBy(n => IdNow(n), StringComparer.Ordinal).ToArray();
        var before = _before.DevicesInOrder;
        var devices = new int[before.Length - _removedDevices.Count + added.Length];
        int i = 0, j = 0, d = 0;
        while (i < before.Length || j < added.Length)
        {
            if (i < before.Length && _removedDevices.Contains(before[i]))
            {
                i++;
            }
            else if (j == added.Length || (i < before.Length && string.CompareOrdinal(_before.NodeIds[before[i]], IdNow(added[j])) < 0))
            {
                devices[d++] = before[i++];
            }
            else
            {
                devices[d++] = added[j++];
            }
        }

        return devices;
    }

    private int ChunkCount => (_nodeCount + NodeChunk.Mask) >> NodeChunk.Bits;

    private bool TryFind(string nodeId, out int node)
    {
        if (_ids.TryGetValue(nodeId, out node))
        {
            return node >= 0;
        }

        return _before.TryGetNode(nodeId, out node);
    }

    private int IndexOf(string nodeId) => TryFind(nodeId, out var node) ? node : -1;

    private ChunkWork? WorkOrNull(int node) => _work.GetValueOrDefault(node >> NodeChunk.Bits);

    private ChunkWork Work(int node)
    {
        var c = node >> NodeChunk.Bits;
        if (!_work.TryGetValue(c, out var work))
        {
            work = c < _before.Chunks.Length ? new ChunkWork(_before.Chunks[c]) : new ChunkWork();
            _work.Add(c, work);
        }

        return work;
    }

    private NodeFacts FactsNow(int node) => WorkOrNull(node) is { } work ? work.Facts[node & NodeChunk.Mask] : _before.Facts(node);

    private string? IdNow(int node) => WorkOrNull(node) is { } work ? work.Ids[node & NodeChunk.Mask] : _before.NodeIds.Exists(node) ? _before.NodeIds[node] : null;

    private int ParentNow(int node) => WorkOrNull(node) is { } work ? work.Parents[node & NodeChunk.Mask] : _before.Chunks[node >> NodeChunk.Bits].Parents[node & NodeChunk.Mask];

    private bool IsDeviceNow(int node) => FactsNow(node).IsDevice;

    private ReadOnlySpan<int> ChainNow(int node) => _chains.TryGetValue(node, out var chain) ? chain : _before.AncestorsOf(node);

    private ReadOnlySpan<int> TagsNow(int node) => _tags.TryGetValue(node, out var tags) ? tags : _before.TagsOf(node);

    private int[] Intern(IReadOnlyList<string> tags)
    {
        var ids = new List<int>(tags.Count);
        foreach (var tag in tags)
        {
            var id = Intern(tag);
            if (!ids.Contains(id))
            {
                ids.Add(id);
            }
        }

        return ids.Count == 0 ? NoInts : [.. ids];
    }

    private int Intern(string tag)
    {
        if (_tagIndex is null)
        {
            _tagIndex = new Dictionary<string, int>(_before.TagNames.Length, StringComparer.Ordinal);
            for (var t = 0; t < _before.TagNames.Length; t++)
            {
                _tagIndex[_before.TagNames[t]] = t;
            }
        }

        if (!_tagIndex.TryGetValue(tag, out var id))
        {
            _tagNames ??= [.. _before.TagNames];
            id = _tagNames.Count;
            _tagNames.Add(tag);
            _tagIndex.Add(tag, id);
        }

        return id;
    }

    /// <summary>A chunk being changed: copies of its arrays, grown when nodes are appended.</summary>
    private sealed class ChunkWork
    {
        public ChunkWork()
        {
            Ids = new string?[16];
            Facts = new NodeFacts[16];
            Parents = new int[16];
        }

        public ChunkWork(NodeChunk from)
        {
            Ids = (string?[])from.Ids.Clone();
            Facts = (NodeFacts[])from.Facts.Clone();
            Parents = (int[])from.Parents.Clone();
            Count = from.Count;
        }

        public string?[] Ids { get; private set; }

        public NodeFacts[] Facts { get; private set; }

        public int[] Parents { get; private set; }

        public int Count { get; private set; }

        /// <summary>A chain or the tags of a node changed: the ancestor and tag arrays are made anew.</summary>
        public bool Repack { get; set; }

        public int[]? Ancestors { get; set; }

        public int[]? Tags { get; set; }

        public void Append(int k)
        {
            if (k >= Ids.Length)
            {
                var size = Math.Min(NodeChunk.Size, Math.Max(k + 1, Ids.Length * 2));
                var ids = Ids;
                var facts = Facts;
                var parents = Parents;
                Array.Resize(ref ids, size);
                Array.Resize(ref facts, size);
                Array.Resize(ref parents, size);
                Ids = ids;
                Facts = facts;
                Parents = parents;
            }

            Count = k + 1;
            Repack = true;
        }
    }

    /// <summary>The sources of the nodes as the patch has them so far.</summary>
    private readonly struct PatchSources(SnapshotPatch patch) : INodeSources
    {
        public NodeSource SourceOf(int node) => patch.FactsNow(node).Source;
    }
}
