using Grpc.Core;
using Grpc.Health.V1;
using Qbee.Authz.V1;
using Xunit.Abstractions;

namespace Qbee.Authz.Service.FaultTests;

/// <summary>
/// kill -9 of a replica loading an account on demand (Preload=None, a real redis-server, a shared SQLite file), then a
/// restart: the check in flight answers right or fails, never wrong; the restarted replica loads the account again
/// (Redis's compacted snapshot, possibly half-written by the killed load, or SQL) at the store's revision, writes
/// made meanwhile by another replica included; nothing acknowledged is lost.
/// </summary>
public sealed class OnDemandLoadKillProcessTests(ITestOutputHelper output)
{
    private const string Big = "big";
    private const int Devices = 10_000;
    private const int BatchSize = 1_000;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    // When the kill lands after the check is sent: early in, in the middle of and late in a cold load of a
    // 10,000-device account (~300 ms in a fresh process); each round costs two restarts.
    private static readonly int[] KillAfterMs = [10, 60, 200];

    [Fact]
    public async Task KillDuringOnDemandLoad_ThenRestart_ServesTheStoresRevision_AndLosesNoWrite()
    {
        await using var redis = await RedisServer.StartAsync();
        var shared = Path.Combine(Path.GetTempPath(), "qbee-authz-faults", Guid.NewGuid().ToString("N"));
        var redisSettings = new Dictionary<string, string> { ["Authz:Redis:Configuration"] = $"{redis.Configuration},connectTimeout=1000,connectRetry=1" };
        try
        {
            await using var writer = await ServiceProcess.StartAsync(redisSettings, shared);
            var revision = await SeedAsync(writer);
            var onDemand = new Dictionary<string, string>(redisSettings) { ["Authz:Snapshots:Preload"] = "None" };
            await using var replica = await ServiceProcess.StartAsync(onDemand, shared);

            var granted = new HashSet<string>(StringComparer.Ordinal) { "big-bob" };
            var round = 0;
            foreach (var killAfter in KillAfterMs)
            {
                var inFlight = replica.Authz.CheckAsync(
                    new CheckRequest { UserId = "big-bob", Permission = "device:read", DeviceId = Fleet.DeviceId(Devices) },
                    deadline: DateTime.UtcNow + Deadline).ResponseAsync;
                if (killAfter > 0)
                {
                    await Task.Delay(killAfter); // where the fault lands, not a wait for a condition
                }

                await replica.KillAsync();
                var answered = await AnsweredAsync(inFlight);
                output.WriteLine($"kill {killAfter} ms after the check: {(answered is null ? "cut off" : $"answered {answered.Reason}")}");

                // Written while the replica is down: it must be seen after the restart, by a load that starts cold.
                var user = $"big-user{round++}";
                var write = await writer.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Big, user, "reader") });
                Assert.Equal(revision + 1, write.Revision);
                revision = write.Revision;
                granted.Add(user);

                await replica.RestartAsync();
                await replica.WaitForHealthAsync(HealthCheckResponse.Types.ServingStatus.Serving, timeout: Deadline);

                Assert.True(answered is null || answered.Allowed, $"the check in flight at the kill ({killAfter} ms) answered {answered?.Reason}");
                foreach (var userId in granted)
                {
                    var answer = await replica.Authz.CheckAsync(
                        new CheckRequest { UserId = userId, Permission = "device:read", DeviceId = Fleet.DeviceId(Devices) },
                        deadline: DateTime.UtcNow + Deadline);
                    Assert.True(answer.Allowed, $"{userId} after the restart ({killAfter} ms): {answer.Reason}");
                    Assert.Equal(revision, answer.Revision);
                }

                var denied = await replica.Authz.CheckAsync(
                    new CheckRequest { UserId = "big-eve", Permission = "device:read", DeviceId = Fleet.DeviceId(Devices) }, deadline: DateTime.UtcNow + Deadline);
                Assert.False(denied.Allowed);
                var status = (await replica.Admin.GetStatusAsync(new GetStatusRequest())).Accounts.Single(a => a.AccountId == Big);
                Assert.True(status.Loaded);
                Assert.Equal(revision, status.SnapshotRevision);

                // Cold again for the next round's kill.
                await replica.StopAsync();
                await replica.RestartAsync();
                await replica.WaitForHealthAsync(HealthCheckResponse.Types.ServingStatus.Serving, timeout: Deadline);
            }

            // A write through the restarted replica follows on from the last one: no revision lost or repeated.
            var last = await replica.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Big, "big-bob") });
            var revoked = await writer.Authz.CheckAsync(
                new CheckRequest { UserId = "big-bob", Permission = "device:read", DeviceId = Fleet.DeviceId(Devices), MinRevision = last.Revision },
                deadline: DateTime.UtcNow + Deadline);
            Assert.Equal(revision + 1, last.Revision);
            Assert.False(revoked.Allowed);
        }
        finally
        {
            Directory.Delete(shared, recursive: true);
        }
    }

    /// <summary>The account: a reader role, big-bob with it, big-eve without, and 10,000 devices. Returns the revision.</summary>
    private static async Task<ulong> SeedAsync(ServiceProcess writer)
    {
        await writer.Admin.CreateAccountAsync(Fleet.Account(Big, "big-owner"));
        await writer.Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Big, "reader", ("device:read", ["*"])) });
        await writer.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Big, "big-bob", "reader") });
        await writer.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Big, "big-eve") });
        var revision = 0UL;
        for (var batch = 0; batch < Devices / BatchSize; batch++)
        {
            var request = new PutNodesRequest { AccountId = Big };
            request.Nodes.AddRange(Enumerable.Range(1 + (batch * BatchSize), BatchSize).Select(n => Fleet.Device(Big, Fleet.DeviceId(n), "root")));
            revision = (await writer.Admin.PutNodesAsync(request, deadline: DateTime.UtcNow + Deadline)).Revision;
        }

        return revision;
    }

    /// <summary>The check's answer, or null when the kill cut it off (any status: the process is gone).</summary>
    private static async Task<CheckResponse?> AnsweredAsync(Task<CheckResponse> inFlight)
    {
        try
        {
            return await inFlight;
        }
        catch (RpcException)
        {
            return null;
        }
    }
}
