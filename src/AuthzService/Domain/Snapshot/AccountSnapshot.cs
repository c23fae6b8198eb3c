using System.Collections.Frozen;

namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>
/// One account at one revision, compiled for checks: names interned to array indexes, every node's ancestors
/// (root first, self last) and tags as flat int arrays, each device's effective remote-access setting
/// precomputed. Immutable: readers keep it while a newer one is swapped in.
/// </summary>
internal sealed class AccountSnapshot
{
    private readonly FrozenDictionary<string, int> _groupIndex;
    private readonly DeviceIdTable _deviceIndex;
    private readonly int[] _ancestorOffsets;
    private readonly int[] _ancestors;
    private readonly int[] _tagOffsets;
    private readonly int[] _tags;

    public AccountSnapshot(
        string accountId,
        string accountName,
        long revision,
        DateTimeOffset builtAt,
        FrozenDictionary<string, int> groupIndex,
        DeviceIdTable deviceIndex,
        string[] nodeIds,
        bool[] isDevice,
        int[] ancestorOffsets,
        int[] ancestors,
        int[] tagOffsets,
        int[] tags,
        bool[] remoteAccessEnabled,
        int[] devicesInOrder,
        string[] tagNames,
        FrozenDictionary<string, UserEntry> users,
        int roleCount)
    {
        AccountId = accountId;
        AccountName = accountName;
        Revision = revision;
        BuiltAt = builtAt;
        _groupIndex = groupIndex;
        _deviceIndex = deviceIndex;
        NodeIds = nodeIds;
        IsDevice = isDevice;
        _ancestorOffsets = ancestorOffsets;
        _ancestors = ancestors;
        _tagOffsets = tagOffsets;
        _tags = tags;
        RemoteAccessEnabled = remoteAccessEnabled;
        DevicesInOrder = devicesInOrder;
        TagNames = tagNames;
        Users = users;
        RoleCount = roleCount;
    }

    public string AccountId { get; }

    public string AccountName { get; }

    public long Revision { get; }

    public DateTimeOffset BuiltAt { get; }

    public string[] NodeIds { get; }

    public bool[] IsDevice { get; }

    /// <summary>Per node: the effective "remote console / remote access" setting, agent flag included.</summary>
    public bool[] RemoteAccessEnabled { get; }

    /// <summary>Device node indexes sorted by device id (ordinal): the stable order of ListAllowedDevices.</summary>
    public int[] DevicesInOrder { get; }

    public string[] TagNames { get; }

    public FrozenDictionary<string, UserEntry> Users { get; }

    public int RoleCount { get; }

    public int DeviceCount => DevicesInOrder.Length;

    /// <summary>root first, the node itself last.</summary>
    public ReadOnlySpan<int> AncestorsOf(int node) =>
        _ancestors.AsSpan(_ancestorOffsets[node], _ancestorOffsets[node + 1] - _ancestorOffsets[node]);

    public ReadOnlySpan<int> TagsOf(int node) =>
        _tags.AsSpan(_tagOffsets[node], _tagOffsets[node + 1] - _tagOffsets[node]);

    public bool TryGetDevice(string deviceId, out int node) => _deviceIndex.TryGet(deviceId, out node);

    /// <summary>A device or a group; device ids and group ids never look alike (the admin API keeps them apart).</summary>
    public bool TryGetNode(string nodeId, out int node) =>
        Ids.IsDeviceId(nodeId) ? _deviceIndex.TryGet(nodeId, out node) : _groupIndex.TryGetValue(nodeId, out node);
}
