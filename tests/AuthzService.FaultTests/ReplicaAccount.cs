using Qbee.Authz.V1;

namespace Qbee.Authz.Service.FaultTests;

/// <summary>
/// The account the multi-replica tests write: a role reading every device, a role reading (and with the console on)
/// the blue ones, remote access on; devices written in batches of one PutNodes each, so a half-applied write shows.
/// </summary>
internal static class ReplicaAccount
{
    public const string Acme = "acme";
    public const string Owner = "olivia";
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Creates the account through <paramref name="replica"/>; returns the revision it is at.</summary>
    public static async Task<ulong> SeedAsync(ServiceProcess replica)
    {
        await replica.Admin.CreateAccountAsync(Fleet.Account(Acme, Owner));
        await replica.Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "reader", ("device:read", ["*"])) });
        await replica.Admin.PutRoleAsync(new PutRoleRequest
        {
            Role = Fleet.Role(Acme, "blue", ("device:read", ["tag:blue"]), ("remote-access:connect", ["tag:blue/console"])),
        });
        return (await replica.Admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Acme, NodeId = "root", Setting = RemoteAccessSetting.Enabled })).Revision;
    }

    /// <summary>Batch <paramref name="batch"/>: one PutNodes of <paramref name="size"/> devices of its own, tagged with it.</summary>
    public static PutNodesRequest Batch(int batch, int size)
    {
        var request = new PutNodesRequest { AccountId = Acme };
        request.Nodes.AddRange(Enumerable.Range(0, size).Select(k => Fleet.Device(Acme, Fleet.DeviceId(0x10000 + (batch * size) + k), "root", $"batch-{batch}")));
        return request;
    }

    /// <summary>The devices the store holds, read through <paramref name="replica"/>'s ExportAccount, and the revision read at.</summary>
    public static async Task<(HashSet<string> Devices, ulong Revision)> StoredDevicesAsync(ServiceProcess replica)
    {
        var export = await ReplicaSet.ExportAsync(replica, Acme);
        return (export.Where(r => r.Node?.Type == NodeType.Device).Select(r => r.Node.NodeId).ToHashSet(StringComparer.Ordinal), export[0].Account.Revision);
    }

    /// <summary>The lines <see cref="ReplicaSet.DecisionsAsync"/> gives for a user who reads <paramref name="read"/> and reaches <paramref name="console"/>.</summary>
    public static List<string> Probes(string user, ulong revision, IEnumerable<string> read, IEnumerable<string> console) =>
    [
        $"{user} device:read@{revision}: {string.Join(',', read.Order(StringComparer.Ordinal))}",
        $"{user} remote-access:connect@{revision}: {string.Join(',', console.Order(StringComparer.Ordinal))}",
    ];
}
