using System.Collections.Concurrent;
using Grpc.Core;
using Qbee.Authz.V1;
using Xunit.Abstractions;

namespace Qbee.Authz.Service.FaultTests;

/// <summary>
/// Issue 20: PostgreSQL stopped at once (<c>pg_ctl stop -m immediate</c>: a crash, or the old primary of a failover)
/// under check and write load on three replicas, then started again on its data and port. Checks answer from
/// memory throughout; a write answers UNAVAILABLE while the server is down (no other status, nothing half applied)
/// and succeeds once it is back; the replicas converge on what the store holds.
/// </summary>
public sealed class PostgresRestartProcessTests(ITestOutputHelper output)
{
    private const string Acme = ReplicaAccount.Acme;
    private const string Owner = ReplicaAccount.Owner;
    private const int BatchSize = 4;
    private const int MaxBatches = 20_000;
    private const int Up = 0;
    private const int Down = 1;
    private const int Back = 2;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task PostgresKilledAndRestarted_UnderLoad_ChecksAnswerWritesUnavailableThenSucceed_ReplicasConverge()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var store = await StoreUnderTest.StartAsync("Postgres", ownServer: true);
        await using var replicas = await ReplicaSet.StartAsync(3, store.Store, redis);
        await ReplicaAccount.SeedAsync(replicas[0]);
        var checkedDevice = Fleet.DeviceId(0xb1);
        await replicas[0].Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "bob", "blue") });
        await replicas[0].Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, checkedDevice, "root", "blue") });
        var seeded = await replicas.WaitForConvergenceAsync(Acme);

        var phase = Up;
        var stop = false;
        var next = -1;
        var writes = new ConcurrentQueue<WriteOutcome>();
        var checks = new int[3];
        var checkFailures = new ConcurrentQueue<string>();

        async Task CheckLoopAsync(ServiceProcess replica)
        {
            for (var n = 0; !Volatile.Read(ref stop); n++)
            {
                var at = Volatile.Read(ref phase);
                var user = n % 2 == 0 ? "bob" : Owner;
                try
                {
                    var answer = await replica.Authz.CheckAsync(
                        new CheckRequest { UserId = user, Permission = "device:read", DeviceId = checkedDevice }, deadline: DateTime.UtcNow.AddSeconds(5));
                    if (!answer.Allowed)
                    {
                        checkFailures.Enqueue($"{user} on {replica.Address} ({Phase(at)}): {answer.Reason} {answer.Message}");
                    }

                    Interlocked.Increment(ref checks[at]);
                }
                catch (RpcException e)
                {
                    checkFailures.Enqueue($"{replica.Address} ({Phase(at)}): {e.Status}");
                }
            }
        }

        async Task WriteLoopAsync(int replica)
        {
            while (!Volatile.Read(ref stop))
            {
                var batch = Interlocked.Increment(ref next);
                if (batch >= MaxBatches)
                {
                    return;
                }

                var sent = Volatile.Read(ref phase);
                try
                {
                    var answer = await replicas[replica].Admin.PutNodesAsync(ReplicaAccount.Batch(batch, BatchSize), deadline: DateTime.UtcNow + ReplicaAccount.CallTimeout);
                    writes.Enqueue(new WriteOutcome(batch, replica, sent, Volatile.Read(ref phase), StatusCode.OK, answer.Revision, string.Empty));
                }
                catch (RpcException e)
                {
                    writes.Enqueue(new WriteOutcome(batch, replica, sent, Volatile.Read(ref phase), e.StatusCode, 0, e.Status.Detail));
                    await Task.Delay(20); // paces the refused writes of the outage; not a synchronisation
                }
            }
        }

        var load = replicas.Replicas.SelectMany(r => new[] { CheckLoopAsync(r), CheckLoopAsync(r) })
            .Concat(Enumerable.Range(0, 3).SelectMany(r => new[] { WriteLoopAsync(r), WriteLoopAsync(r) }))
            .Select(loop => Task.Run(() => loop)).ToArray();

        await WaitUntilAsync(() => writes.Count(w => w.Status == StatusCode.OK) >= 30, "30 writes acknowledged before the kill", checkFailures);
        Volatile.Write(ref phase, Down);
        await store.Server!.KillAsync();
        await WaitUntilAsync(
            () => Volatile.Read(ref checks[Down]) >= 200
                && Enumerable.Range(0, 3).All(r => writes.Count(w => w.Replica == r && w.Sent == Down && w.Status == StatusCode.Unavailable) >= 3),
            "200 checks answered and 3 writes refused by each replica while PostgreSQL is down", checkFailures);
        var storeWhileDown = (await replicas[1].Admin.GetStatusAsync(new GetStatusRequest(), deadline: DateTime.UtcNow + ReplicaAccount.CallTimeout)).Store;

        Volatile.Write(ref phase, Back);
        await store.Server.RestartAsync();
        await WaitUntilAsync(
            () => Enumerable.Range(0, 3).All(r => writes.Count(w => w.Replica == r && w.Sent == Back && w.Status == StatusCode.OK) >= 10),
            "10 writes acknowledged by each replica once PostgreSQL is back", checkFailures);
        Volatile.Write(ref stop, true);
        await Task.WhenAll(load).WaitAsync(Bound);

        var converged = await replicas.WaitForConvergenceAsync(Acme);
        var (present, _) = await ReplicaAccount.StoredDevicesAsync(replicas[0]);
        int Stored(int batch) => ReplicaAccount.Batch(batch, BatchSize).Nodes.Count(n => present.Contains(n.NodeId));
        var outcomes = writes.ToList();
        var refusedOtherwise = outcomes.Where(w => w.Status is not StatusCode.OK and not StatusCode.Unavailable).ToList();
        var halfApplied = outcomes.Where(w => Stored(w.Batch) is > 0 and < BatchSize).ToList();
        var ackedMissing = outcomes.Where(w => w.Status == StatusCode.OK && Stored(w.Batch) != BatchSize).ToList();
        var ackedWhileDown = outcomes.Where(w => w.Status == StatusCode.OK && w.Sent == Down && w.Answered == Down).ToList();
        var committed = outcomes.Count(w => Stored(w.Batch) == BatchSize);
        var unavailable = outcomes.Where(w => w.Status == StatusCode.Unavailable).ToList();
        output.WriteLine($"checks answered: {checks[Up]} before, {checks[Down]} while down, {checks[Back]} after; failed: {checkFailures.Count}");
        output.WriteLine($"writes: {outcomes.Count} sent, {outcomes.Count(w => w.Status == StatusCode.OK)} acknowledged, {unavailable.Count} UNAVAILABLE "
            + $"({unavailable.Count(w => Stored(w.Batch) == BatchSize)} of them committed all the same), other statuses {refusedOtherwise.Count}; "
            + $"half applied {halfApplied.Count}, acknowledged and missing {ackedMissing.Count}; store while down: {storeWhileDown.State} ({storeWhileDown.Detail})");
        output.WriteLine($"UNAVAILABLE details: {string.Join(" | ", unavailable.Select(w => w.Detail).Distinct().Take(5))}");

        Assert.True(checkFailures.IsEmpty, string.Join('\n', checkFailures.Take(10)));
        Assert.True(refusedOtherwise.Count == 0, string.Join('\n', refusedOtherwise.Take(10)));
        Assert.Empty(ackedWhileDown);
        Assert.Empty(halfApplied);
        Assert.Empty(ackedMissing);
        Assert.Equal("down", storeWhileDown.State);
        // One revision per committed batch, none taken by a write that did not commit.
        Assert.Equal(seeded + (ulong)committed, converged);
        var expected = ReplicaAccount.Probes(Owner, converged, present, present);
        foreach (var replica in replicas.Replicas)
        {
            Assert.Equal(expected, await ReplicaSet.DecisionsAsync(replica, converged, [Owner]));
        }
    }

    private static string Phase(int phase) => phase switch { Up => "up", Down => "down", _ => "back" };

    /// <summary>Waits for <paramref name="condition"/> (bounded); a check failure ends the wait early, to be reported.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, string what, ConcurrentQueue<string> checkFailures)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            Assert.True(checkFailures.IsEmpty, string.Join('\n', checkFailures.Take(10)));
            Assert.True(DateTime.UtcNow < deadline, $"not within {Bound.TotalSeconds} s: {what}");
            await Task.Delay(20);
        }
    }

    private sealed record WriteOutcome(int Batch, int Replica, int Sent, int Answered, StatusCode Status, ulong Revision, string Detail);
}
