namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>
/// The devices of two snapshots of one account (before and after a write) on one axis: position = rank of the
/// device id (ordinal) among the devices of either. Bitsets over positions compare the two snapshots whatever their
/// node indexes (a patch that recompiles renumbers them), and their lowest set bits are the smallest device ids.
/// </summary>
internal sealed class DeviceSpace
{
    private DeviceSpace(string[] ids, int[] beforeNodes, int[] afterNodes)
    {
        Ids = ids;
        BeforeNodes = beforeNodes;
        AfterNodes = afterNodes;
    }

    /// <summary>Device id by position.</summary>
    public string[] Ids { get; }

    /// <summary>By position: the device's node index in the snapshot before (-1: not there).</summary>
    public int[] BeforeNodes { get; }

    /// <summary>By position: the device's node index in the snapshot after (-1: not there).</summary>
    public int[] AfterNodes { get; }

    public int Count => Ids.Length;

    public int Words => (Ids.Length + 63) >> 6;

    /// <param name="before">Null: the account does not exist yet.</param>
    public static DeviceSpace Of(AccountSnapshot? before, AccountSnapshot after)
    {
        var left = before?.DevicesInOrder ?? [];
        var right = after.DevicesInOrder;
        var ids = new List<string>(Math.Max(left.Length, right.Length));
        var beforeNodes = new List<int>(ids.Capacity);
        var afterNodes = new List<int>(ids.Capacity);
        int i = 0, j = 0;
        while (i < left.Length || j < right.Length)
        {
            var l = i < left.Length ? before!.NodeIds[left[i]] : null;
            var r = j < right.Length ? after.NodeIds[right[j]] : null;
            var order = l is null ? 1 : r is null ? -1 : string.CompareOrdinal(l, r);
            ids.Add(order <= 0 ? l! : r!);
            beforeNodes.Add(order <= 0 ? left[i++] : -1);
            afterNodes.Add(order >= 0 ? right[j++] : -1);
        }

        return new DeviceSpace([.. ids], [.. beforeNodes], [.. afterNodes]);
    }
}
