using System.Collections.Frozen;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>
/// One account at one revision, compiled for checks: names interned to array indexes, every node's ancestors
/// (root first, self last) and tags as flat int arrays, each device's effective remote-access setting
/// precomputed. Immutable: readers keep it while a newer one is swapped in.
/// </summary>
/// <remarks>
/// Built whole by <see cref="SnapshotCompiler"/> or from the one before by <see cref="SnapshotPatcher"/>, which
/// shares what a change set did not touch: node facts live in <see cref="NodeChunk"/>s of 1,024 nodes (a check
/// reads one chunk entry, one pointer hop more than a flat array), device ids in a sharded
/// <see cref="DeviceIdTable"/>, and the compiled roles stay here so that a role edit recompiles only its holders.
/// Node indexes are stable across patches: new nodes are appended, deleted ones left as tombstones.
/// </remarks>
internal sealed class AccountSnapshot
{
    private readonly NodeChunk[] _chunks;
    private UserEntry[]? _usersInOrder;
    private long _estimatedBytes;

    public AccountSnapshot(
        string accountId,
        string accountName,
        AccountVersion version,
        DateTimeOffset builtAt,
        FrozenDictionary<string, int> groupIndex,
        DeviceIdTable deviceIndex,
        NodeChunk[] chunks,
        int nodeCount,
        int[] devicesInOrder,
        string[] tagNames,
        TagSetting?[] tagSettings,
        FrozenDictionary<string, UserEntry> users,
        FrozenDictionary<string, CompiledRole> roles,
        FrozenDictionary<int, string> danglingParents,
        int cutOffCount)
    {
        AccountId = accountId;
        AccountName = accountName;
        Version = version;
        BuiltAt = builtAt;
        GroupIndex = groupIndex;
        DeviceIndex = deviceIndex;
        _chunks = chunks;
        NodeCount = nodeCount;
        DevicesInOrder = devicesInOrder;
        TagNames = tagNames;
        TagSettings = tagSettings;
        Users = users;
        Roles = roles;
        DanglingParents = danglingParents;
        CutOffCount = cutOffCount;
    }

    public string AccountId { get; }

    public string AccountName { get; }

    public long Revision => Version.Revision;

    /// <summary>The revision and the stamp of the write that made it: which committed state of the store it shows.</summary>
    public AccountVersion Version { get; }

    public DateTimeOffset BuiltAt { get; }

    /// <summary>By node index; a deleted node's entry is null (a tombstone until the next full compile).</summary>
    public NodeIdList NodeIds => new(_chunks);

    /// <summary>Node indexes in use, tombstones included.</summary>
    public int NodeCount { get; }

    public bool IsDevice(int node) => Facts(node).IsDevice;

    /// <summary>The effective "remote console / remote access" setting of a node, agent flag included.</summary>
    public bool RemoteAccessEnabled(int node) => Facts(node).RemoteAccessEnabled;

    /// <summary>Device node indexes sorted by device id (ordinal): the stable order of ListAllowedDevices.</summary>
    public int[] DevicesInOrder { get; }

    /// <summary>By interned tag id (tags of nodes, of settings and of grants).</summary>
    public string[] TagNames { get; }

    public FrozenDictionary<string, UserEntry> Users { get; }

    /// <summary>
    /// The users sorted by id (ordinal): the stable order of ListDeviceUsers. Sorted on first use and kept with this
    /// revision (two racing first uses sort twice, alike); checks never read it.
    /// </summary>
    public UserEntry[] UsersInOrder => _usersInOrder ??= SortUsers(Users);

    public int RoleCount => Roles.Count;

    /// <summary>
    /// What this snapshot holds on the heap, estimated from its arrays and tables (<see cref="SnapshotSize"/>) on
    /// first use and kept: the figure the memory budget counts and GetStatus reports.
    /// </summary>
    public long EstimatedBytes
    {
        get
        {
            var bytes = Volatile.Read(ref _estimatedBytes);
            if (bytes == 0)
            {
                bytes = SnapshotSize.Estimate(this);
                Volatile.Write(ref _estimatedBytes, bytes);
            }

            return bytes;
        }
    }

    public int DeviceCount => DevicesInOrder.Length;

    /// <summary>root first, the node itself last.</summary>
    public ReadOnlySpan<int> AncestorsOf(int node)
    {
        ref readonly var chunk = ref _chunks[node >> NodeChunk.Bits];
        var facts = chunk.Facts[node & NodeChunk.Mask];
        return chunk.Ancestors.AsSpan(facts.AncestorStart, facts.AncestorCount);
    }

    public ReadOnlySpan<int> TagsOf(int node)
    {
        ref readonly var chunk = ref _chunks[node >> NodeChunk.Bits];
        var facts = chunk.Facts[node & NodeChunk.Mask];
        return chunk.Tags.AsSpan(facts.TagStart, facts.TagCount);
    }

    public NodeView Node(int node)
    {
        ref readonly var chunk = ref _chunks[node >> NodeChunk.Bits];
        var facts = chunk.Facts[node & NodeChunk.Mask];
        return new NodeView(
            chunk.Ancestors.AsSpan(facts.AncestorStart, facts.AncestorCount),
            chunk.Tags.AsSpan(facts.TagStart, facts.TagCount),
            facts.IsDevice,
            facts.RemoteAccessEnabled);
    }

    public bool TryGetDevice(string deviceId, out int node) => DeviceIndex.TryGet(deviceId, out node);

    /// <summary>A device or a group; device ids and group ids never look alike (the admin API keeps them apart).</summary>
    public bool TryGetNode(string nodeId, out int node) =>
        Ids.IsDeviceId(nodeId) ? DeviceIndex.TryGet(nodeId, out node) : GroupIndex.TryGetValue(nodeId, out node);

    // What a patch starts from; checks never read these.
    internal NodeChunk[] Chunks => _chunks;

    internal FrozenDictionary<string, int> GroupIndex { get; }

    internal DeviceIdTable DeviceIndex { get; }

    /// <summary>By tag id, as long as <see cref="TagNames"/> or shorter (a missing entry: no setting).</summary>
    internal TagSetting?[] TagSettings { get; }

    internal FrozenDictionary<string, CompiledRole> Roles { get; }

    /// <summary>Nodes whose stored parent is not a node of the account (an older store): the parent's id.</summary>
    internal FrozenDictionary<int, string> DanglingParents { get; }

    /// <summary>How many chains were cut off at compile: a patch of such a snapshot recompiles it whole.</summary>
    internal int CutOffCount { get; }

    /// <summary>Keys and values of a frozen dictionary come in the same order: one array sort, no key selector.</summary>
    private static UserEntry[] SortUsers(FrozenDictionary<string, UserEntry> users)
    {
        var ids = users.Keys.ToArray();
        var entries = users.Values.ToArray();
        Array.Sort(ids, entries, StringComparer.Ordinal);
        return entries;
    }

    internal NodeFacts Facts(int node) => _chunks[node >> NodeChunk.Bits].Facts[node & NodeChunk.Mask];
}
