using System.Collections.Concurrent;
using Grpc.Core;
using Qbee.Authz.V1;
using Xunit.Abstractions;

namespace Qbee.Authz.Service.FaultTests;

/// <summary>
/// Issue 20: three replicas, each its own process, on one store and one Redis, writing one account at once; and
/// one of them killed with writes in flight. The store hands every write its own revision, loses none, applies
/// each whole or not at all, and every replica ends on the same snapshot, deciding the same.
/// </summary>
public sealed class MultiReplicaProcessTests(ITestOutputHelper output)
{
    private const string Acme = ReplicaAccount.Acme;
    private const string Owner = ReplicaAccount.Owner;
    private const int ReplicaCount = 3;
    private static readonly TimeSpan CallTimeout = ReplicaAccount.CallTimeout;

    [Theory]
    [InlineData("Postgres")]
    [InlineData("Sqlite")]
    public async Task ThreeReplicas_WritingOneAccountConcurrently_EveryWriteItsOwnRevisionNoneLostAllConverge(string provider)
    {
        const int callersPerReplica = 5;
        const int writesPerCaller = 10;
        await using var redis = await RedisServer.StartAsync();
        await using var store = await StoreUnderTest.StartAsync(provider);
        await using var replicas = await ReplicaSet.StartAsync(ReplicaCount, store.Store, redis);
        var seeded = await ReplicaAccount.SeedAsync(replicas[0]);

        // Write w (0..149) is a device, a user or a role of its own; replica r's callers take w = r*50 + c*10 + n.
        var callers = Enumerable.Range(0, ReplicaCount * callersPerReplica).Select(caller => Task.Run(async () =>
        {
            var replica = replicas[caller / callersPerReplica];
            var written = new List<Written>();
            for (var n = 0; n < writesPerCaller; n++)
            {
                written.Add(await WriteAsync(replica, (caller * writesPerCaller) + n));
            }

            return written;
        }));
        var writes = (await Task.WhenAll(callers)).SelectMany(w => w).ToList();
        var total = ReplicaCount * callersPerReplica * writesPerCaller;

        var converged = await replicas.WaitForConvergenceAsync(Acme);
        var export = await ReplicaSet.ExportAsync(replicas[0], Acme);
        var statuses = await Task.WhenAll(replicas.Replicas.Select(r => ReplicaSet.AccountStatusAsync(r, Acme)));
        var decisions = await Task.WhenAll(replicas.Replicas.Select(r => ReplicaSet.DecisionsAsync(r, converged, Users(writes))));

        // Every write its own revision, none skipped: exactly seeded+1 .. seeded+150.
        Assert.Equal(
            Enumerable.Range(1, total).Select(k => seeded + (ulong)k),
            writes.Select(w => w.Revision).Order());
        Assert.Equal(seeded + (ulong)total, converged);
        Assert.Equal(converged, export[0].Account.Revision);

        // None lost: every row written is in the store, and every replica holds as many of each as the store.
        var stored = export.Select(Key).ToHashSet(StringComparer.Ordinal);
        var lost = writes.Select(w => w.Key).Where(key => !stored.Contains(key)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged writes are not in the store: {string.Join(", ", lost.Take(10))}");
        Assert.All(statuses, status => Assert.Equal(
            (export.Count(r => r.Node?.Type == NodeType.Device), export.Count(r => r.User is not null), export.Count(r => r.Role is not null)),
            (status!.Devices, status.Users, status.Roles)));

        // Same snapshot, same decisions, and the ones the writes call for.
        var expected = ExpectedDecisions(writes, converged);
        Assert.All(decisions, replicaDecisions => Assert.Equal(expected, replicaDecisions));
        output.WriteLine($"{provider}: {total} writes through {ReplicaCount} replicas, revisions {seeded + 1}..{converged}; {expected.Count} decision lines equal on every replica");
    }

    [Theory]
    [InlineData("Postgres")]
    [InlineData("Sqlite")]
    public async Task ReplicaKilledMidWrite_AckedWritesVisibleOnTheOthers_UnackedOnesWholeOrAbsent(string provider)
    {
        const int victimCallers = 8;
        const int batchSize = 4;
        const int maxBatches = 5_000;
        await using var redis = await RedisServer.StartAsync();
        await using var store = await StoreUnderTest.StartAsync(provider);
        await using var replicas = await ReplicaSet.StartAsync(ReplicaCount, store.Store, redis);
        var seeded = await ReplicaAccount.SeedAsync(replicas[0]);
        await replicas.WaitForConvergenceAsync(Acme);
        var victim = replicas[ReplicaCount - 1];

        var acked = new ConcurrentDictionary<int, ulong>();
        var unacked = new ConcurrentDictionary<int, string>();
        var unexpected = new ConcurrentQueue<string>();
        var next = -1;
        var victimAcked = 0;
        var killing = false;
        var stopping = false;

        // Batch b is one PutNodes of devices b*4 .. b*4+3: applied whole, or not at all.
        async Task CallerAsync(ServiceProcess replica)
        {
            var isVictim = replica == victim;
            while (!Volatile.Read(ref stopping))
            {
                var batch = Interlocked.Increment(ref next);
                if (batch >= maxBatches)
                {
                    return;
                }

                try
                {
                    var answer = await replica.Admin.PutNodesAsync(ReplicaAccount.Batch(batch, batchSize), deadline: DateTime.UtcNow + CallTimeout);
                    acked[batch] = answer.Revision;
                    if (isVictim)
                    {
                        Interlocked.Increment(ref victimAcked);
                    }
                }
                catch (Exception e) when (e is RpcException or ObjectDisposedException or InvalidOperationException)
                {
                    unacked[batch] = e is RpcException rpc ? rpc.StatusCode.ToString() : e.GetType().Name;
                    if (!isVictim || !Volatile.Read(ref killing))
                    {
                        unexpected.Enqueue($"batch {batch} on {replica.Address}: {e.Message}");
                    }

                    if (isVictim)
                    {
                        return; // the process is gone
                    }
                }
            }
        }

        var callers = Enumerable.Repeat(victim, victimCallers).Concat(replicas.Replicas.Take(ReplicaCount - 1))
            .Select(replica => Task.Run(() => CallerAsync(replica))).ToArray();

        // Bounded: SIGKILL once the victim has acknowledged 40 batches (or after 20 s), its callers each mid-call.
        var killAt = DateTime.UtcNow.AddSeconds(20);
        while (Volatile.Read(ref victimAcked) < 40 && DateTime.UtcNow < killAt && unexpected.IsEmpty)
        {
            await Task.Delay(5);
        }

        Volatile.Write(ref killing, true);
        await victim.KillAsync();
        Volatile.Write(ref stopping, true);
        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(unexpected.IsEmpty, string.Join('\n', unexpected.Take(10)));
        Assert.True(victimAcked >= 40, $"the victim acknowledged only {victimAcked} batches before the kill");
        Assert.NotEmpty(unacked); // the kill landed with writes in flight

        var converged = await replicas.WaitForConvergenceAsync(Acme);
        var (present, _) = await ReplicaAccount.StoredDevicesAsync(replicas[0]);
        var batches = acked.Keys.Concat(unacked.Keys).ToList();
        int Stored(int batch) => ReplicaAccount.Batch(batch, batchSize).Nodes.Count(n => present.Contains(n.NodeId));
        var halfApplied = batches.Where(b => Stored(b) is > 0 and < batchSize).ToList();
        var ackedMissing = acked.Keys.Where(b => Stored(b) != batchSize).ToList();
        var committed = batches.Count(b => Stored(b) == batchSize);
        var unackedCommitted = unacked.Keys.Count(b => Stored(b) == batchSize);
        output.WriteLine($"{provider}: {acked.Count} batches acknowledged ({victimAcked} by the victim), {unacked.Count} unacknowledged "
            + $"({string.Join(", ", unacked.Values.CountBy(s => s).Select(c => $"{c.Value} {c.Key}"))}): {unackedCommitted} of them committed, "
            + $"{unacked.Count - unackedCommitted} absent; acknowledged and missing: {ackedMissing.Count}; half applied: {halfApplied.Count}");

        Assert.Empty(halfApplied);
        Assert.Empty(ackedMissing);
        Assert.Equal(acked.Count, acked.Values.Distinct().Count());
        // Each committed batch took one revision, and no revision was taken by a write that did not commit.
        Assert.Equal(seeded + (ulong)committed, converged);
        Assert.Equal(present.Count, committed * batchSize);

        // The survivors decide on exactly what the store holds; so does the victim once it is back.
        var expected = ReplicaAccount.Probes(Owner, converged, present, present);
        foreach (var survivor in replicas.Running)
        {
            Assert.Equal(expected, await ReplicaSet.DecisionsAsync(survivor, converged, [Owner]));
        }

        await victim.RestartAsync();
        Assert.Equal(converged, await replicas.WaitForConvergenceAsync(Acme));
        Assert.Equal(expected, await ReplicaSet.DecisionsAsync(victim, converged, [Owner]));
    }

    /// <summary>Write <paramref name="w"/>: a device (blue when even), a user (reader when even, else blue) or a role.</summary>
    private static async Task<Written> WriteAsync(ServiceProcess replica, int w)
    {
        var deadline = DateTime.UtcNow + CallTimeout;
        switch (w % 3)
        {
            case 0:
                var device = Fleet.Device(Acme, WrittenDevice(w), "root", w % 2 == 0 ? ["blue"] : []);
                return new Written(w, $"node {device.NodeId}", (await replica.Admin.PutNodeAsync(new PutNodeRequest { Node = device }, deadline: deadline)).Revision);
            case 1:
                var user = Fleet.User(Acme, $"u{w}", w % 2 == 0 ? "reader" : "blue");
                return new Written(w, $"user {user.UserId}", (await replica.Admin.PutUserAsync(new PutUserRequest { User = user }, deadline: deadline)).Revision);
            default:
                var role = Fleet.Role(Acme, $"r{w}", ("device:read", [$"tag:t{w}"]));
                return new Written(w, $"role {role.RoleId}", (await replica.Admin.PutRoleAsync(new PutRoleRequest { Role = role }, deadline: deadline)).Revision);
        }
    }

    private static string WrittenDevice(int w) => Fleet.DeviceId(0x1000 + w);

    private static IEnumerable<string> Users(List<Written> writes) =>
        writes.Where(w => w.Index % 3 == 1).Select(w => $"u{w.Index}").Append(Owner);

    /// <summary>What the writes call for: the owner reads and reaches every device, a reader reads them all, a blue user the blue ones.</summary>
    private static List<string> ExpectedDecisions(List<Written> writes, ulong revision)
    {
        var devices = writes.Where(w => w.Index % 3 == 0).Select(w => WrittenDevice(w.Index)).ToList();
        var blue = writes.Where(w => w.Index % 3 == 0 && w.Index % 2 == 0).Select(w => WrittenDevice(w.Index)).ToList();
        return Users(writes).Order(StringComparer.Ordinal).SelectMany(user => user switch
        {
            Owner => ReplicaAccount.Probes(user, revision, devices, devices),
            _ when int.Parse(user[1..], System.Globalization.CultureInfo.InvariantCulture) % 2 == 0 => ReplicaAccount.Probes(user, revision, devices, []),
            _ => ReplicaAccount.Probes(user, revision, blue, blue),
        }).ToList();
    }

    /// <summary>The key of a stored record that <see cref="Written.Key"/> names.</summary>
    private static string Key(AccountRecord record) => record.RecordCase switch
    {
        AccountRecord.RecordOneofCase.Node => $"node {record.Node.NodeId}",
        AccountRecord.RecordOneofCase.User => $"user {record.User.UserId}",
        AccountRecord.RecordOneofCase.Role => $"role {record.Role.RoleId}",
        _ => record.RecordCase.ToString(),
    };

    private sealed record Written(int Index, string Key, ulong Revision);
}
