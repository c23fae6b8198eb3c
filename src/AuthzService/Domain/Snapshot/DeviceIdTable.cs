using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>
/// Finds a device by its id in one cache line: ids are 64 hex digits (a 256-bit key digest), so each slot
/// holds the id as four integers beside its node index, in an open-addressing table. A string dictionary
/// would hash 64 characters and chase the key string to compare it.
/// </summary>
internal sealed class DeviceIdTable
{
    // Mixed into the hash so that ids chosen by an admin cannot be lined up into one long probe chain.
    private static readonly ulong Seed = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) | 1;

    private readonly Slot[] _slots;
    private readonly int _shift;

    public DeviceIdTable(IReadOnlyList<(string Id, int Node)> devices)
    {
        var capacity = 16;
        while (capacity < devices.Count * 2)
        {
            capacity <<= 1;
        }

        _slots = new Slot[capacity];
        _shift = 64 - System.Numerics.BitOperations.Log2((uint)capacity);
        foreach (var (id, node) in devices)
        {
            if (!TryParse(id, out var key))
            {
                // The store only holds valid ids; a malformed one is unreachable rather than fatal.
                continue;
            }

            var i = IndexOf(key);
            while (_slots[i].NodePlusOne != 0)
            {
                i = (i + 1) & (_slots.Length - 1);
            }

            _slots[i] = new Slot(key, node + 1);
        }
    }

    /// <summary>Callers pass ids validated as lowercase hex: uppercase would parse to the same key.</summary>
    public bool TryGet(ReadOnlySpan<char> id, out int node)
    {
        if (TryParse(id, out var key))
        {
            for (var i = IndexOf(key); _slots[i].NodePlusOne != 0; i = (i + 1) & (_slots.Length - 1))
            {
                if (_slots[i].Key == key)
                {
                    node = _slots[i].NodePlusOne - 1;
                    return true;
                }
            }
        }

        node = -1;
        return false;
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
    private int IndexOf(in Key256 key) =>
        (int)(((key.A * 0x9E3779B97F4A7C15 ^ key.B * 0xC2B2AE3D27D4EB4F ^ key.C * 0x165667B19E3779F9 ^ key.D) * Seed) >> _shift);

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Key256(ulong A, ulong B, ulong C, ulong D);

    private readonly record struct Slot(Key256 Key, int NodePlusOne);
}
