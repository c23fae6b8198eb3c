using System.Numerics;

namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>Bitsets over device positions (<see cref="DeviceSpace"/>), read and written over a list of word indexes.</summary>
internal static class DeviceBits
{
    public static void Set(ulong[] bits, int position) => bits[position >> 6] |= 1UL << (position & 63);

    public static bool IsSet(ulong[] bits, int position) => (bits[position >> 6] & (1UL << (position & 63))) != 0;

    public static void Clear(ulong[] bits, int[] words)
    {
        foreach (var w in words)
        {
            bits[w] = 0;
        }
    }

    public static void Or(ulong[] into, ulong[] other, int[] words)
    {
        foreach (var w in words)
        {
            into[w] |= other[w];
        }
    }

    public static void And(ulong[] into, ulong[] other, int[] words)
    {
        foreach (var w in words)
        {
            into[w] &= other[w];
        }
    }

    /// <summary><paramref name="into"/> |= <paramref name="a"/> &amp; ~<paramref name="b"/>.</summary>
    public static void OrAndNot(ulong[] into, ulong[] a, ulong[] b, int[] words)
    {
        foreach (var w in words)
        {
            into[w] |= a[w] & ~b[w];
        }
    }

    public static int Count(ulong[] bits, int[] words)
    {
        var count = 0;
        foreach (var w in words)
        {
            count += BitOperations.PopCount(bits[w]);
        }

        return count;
    }

    /// <summary>The lowest set positions, at most <paramref name="max"/>, ascending (the words are in order).</summary>
    public static List<int> First(ulong[] bits, int[] words, int max)
    {
        var found = new List<int>(Math.Min(max, 8));
        foreach (var w in words)
        {
            var word = bits[w];
            while (word != 0 && found.Count < max)
            {
                found.Add((w << 6) + BitOperations.TrailingZeroCount(word));
                word &= word - 1;
            }

            if (found.Count == max)
            {
                break;
            }
        }

        return found;
    }
}
