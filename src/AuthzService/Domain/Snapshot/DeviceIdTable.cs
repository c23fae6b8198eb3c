using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>
/// Finds a device by its id in one cache line: ids are 64 hex digits (a 256-bit key digest), so each slot
/// holds the id as four integers beside its node index, in an open-addressing table. A string dictionary
/// would hash 64 characters and chase the key string to compare it. The table is split into shards by the top
/// bits of the hash (about 1,024 devices each), so that a patch adding or removing a device copies one shard and
/// shares the rest (<see cref="Builder"/>).
/// </summary>
internal sealed class DeviceIdTable
{
    private const int DevicesPerShard = 1024;

    // Mixed into the hash so that ids chosen by an admin cannot be lined up into one long probe chain.
    private static readonly ulong Seed = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) | 1;

    private readonly Slot[][] _shards;
    private readonly int _shardBits;

    public DeviceIdTable(IReadOnlyList<(string Id, int Node)> devices)
    {
        _shardBits = 1;
        while ((DevicesPerShard << _shardBits) < devices.Count)
        {
            _shardBits++;
        }

        var keyed = new List<(Key256 Key, int Node)>[1 << _shardBits];
        foreach (var (id, node) in devices)
        {
            // The store only holds valid ids; a malformed one is unreachable rather than fatal.
            if (TryParse(id, out var key))
            {
                (keyed[ShardOf(key)] ??= []).Add((key, node));
            }
        }

        _shards = new Slot[keyed.Length][];
        for (var s = 0; s < keyed.Length; s++)
        {
            _shards[s] = BuildShard(keyed[s] ?? []);
        }
    }

    private DeviceIdTable(Slot[][] shards, int shardBits)
    {
        _shards = shards;
        _shardBits = shardBits;
    }

    /// <summary>Callers pass ids validated as lowercase hex: uppercase would parse to the same key.</summary>
    public bool TryGet(ReadOnlySpan<char> id, out int node)
    {
        if (TryParse(id, out var key))
        {
            var hash = Hash(key);
            var slots = _shards[(int)(hash >> (64 - _shardBits))];
            var mask = slots.Length - 1;
            for (var i = SlotOf(hash) & mask; slots[i].NodePlusOne != 0; i = (i + 1) & mask)
            {
                if (slots[i].Key == key)
                {
                    node = slots[i].NodePlusOne - 1;
                    return true;
                }
            }
        }

        node = -1;
        return false;
    }

    /// <summary>Its shards on the heap: 40 bytes a slot (the id's 32, the node's 4, padding).</summary>
    public long EstimatedBytes
    {
        get
        {
            long bytes = 24 + (8L * _shards.Length);
            foreach (var shard in _shards)
            {
                bytes += 24 + (40L * shard.Length);
            }

            return bytes;
        }
    }

    /// <summary>A copy to change: shards are copied when first changed, the others shared with this table.</summary>
    public Builder ToBuilder() => new(this);

    private int ShardOf(in Key256 key) => (int)(Hash(key) >> (64 - _shardBits));

    // The bits below the shard's: independent of the shard within it.
    private int SlotOf(ulong hash) => (int)((hash << _shardBits) >> 32);

    private Slot[] BuildShard(List<(Key256 Key, int Node)> entries)
    {
        var capacity = 16;
        while (capacity < entries.Count * 2)
        {
            capacity <<= 1;
        }

        var slots = new Slot[capacity];
        foreach (var (key, node) in entries)
        {
            var i = SlotOf(Hash(key)) & (capacity - 1);
            while (slots[i].NodePlusOne != 0)
            {
                i = (i + 1) & (capacity - 1);
            }

            slots[i] = new Slot(key, node + 1);
        }

        return slots;
    }

    private static bool TryParse(ReadOnlySpan<char> id, out Key256 key)
    {
        Span<byte> bytes = stackalloc byte[32];
        if (id.Length != 64 || Convert.FromHexString(id, bytes, out _, out _) != System.Buffers.OperationStatus.Done)
        {
            key = default;
            return false;
        }

        key = MemoryMarshal.Read<Key256>(bytes);
        return true;
    }

    // Every word counts, so ids chosen to agree on some of them still spread out.
    private static ulong Hash(in Key256 key) =>
        (key.A * 0x9E3779B97F4A7C15 ^ key.B * 0xC2B2AE3D27D4EB4F ^ key.C * 0x165667B19E3779F9 ^ key.D) * Seed;

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Key256(ulong A, ulong B, ulong C, ulong D);

    private readonly record struct Slot(Key256 Key, int NodePlusOne);

    /// <summary>
    /// Adds and removes devices for the next table: each shard touched is rebuilt once, from its entries, when
    /// <see cref="Build"/> is called (cost: the touched shards, about 1,024 devices each).
    /// </summary>
    internal sealed class Builder
    {
        private readonly DeviceIdTable _from;
        private readonly Dictionary<int, Dictionary<Key256, int>> _changed = [];

        public Builder(DeviceIdTable from) => _from = from;

        public void Set(string id, int node)
        {
            if (TryParse(id, out var key))
            {
                Shard(key)[key] = node;
            }
        }

        public void Remove(string id)
        {
            if (TryParse(id, out var key))
            {
                Shard(key).Remove(key);
            }
        }

        public DeviceIdTable Build()
        {
            if (_changed.Count == 0)
            {
                return _from;
            }

            var shards = (Slot[][])_from._shards.Clone();
            foreach (var (s, entries) in _changed)
            {
                shards[s] = _from.BuildShard([.. entries.Select(e => (e.Key, e.Value))]);
            }

            return new DeviceIdTable(shards, _from._shardBits);
        }

        private Dictionary<Key256, int> Shard(in Key256 key)
        {
            var s = _from.ShardOf(key);
            if (!_changed.TryGetValue(s, out var entries))
            {
                entries = [];
                foreach (var slot in _from._shards[s])
                {
                    if (slot.NodePlusOne != 0)
                    {
                        entries[slot.Key] = slot.NodePlusOne - 1;
                    }
                }

                _changed.Add(s, entries);
            }

            return entries;
        }
    }
}
