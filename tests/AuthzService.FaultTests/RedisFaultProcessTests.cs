using System.Net;
using System.Net.Sockets;
using Grpc.Health.V1;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.FaultTests;

/// <summary>Redis faults against the real process: finding 5 (the password in the log), and Redis killed under load.</summary>
public sealed class RedisFaultProcessTests
{
    private const string Acme = "acme";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task RedisUnreachableAtStart_WithAPassword_TheLogAndGetStatusNeverHoldIt()
    {
        const string Password = "Sup3r-S3cret-redis-pw";
        var settings = new Dictionary<string, string>
        {
            ["Authz:Redis:Configuration"] = $"127.0.0.1:{ClosedPort()},password={Password},connectTimeout=500",
        };
        await using var service = await ServiceProcess.StartAsync(settings);

        var status = await service.Admin.GetStatusAsync(new GetStatusRequest());
        await service.StopAsync();

        Assert.Equal("down", status.Redis.State);
        // The line that used to print the raw configuration is still written, without the password.
        var unreachable = Assert.Single(service.LogLines, line => line.Contains("not reachable at start", StringComparison.Ordinal));
        Assert.Contains("127.0.0.1:", unreachable, StringComparison.Ordinal);
        Assert.DoesNotContain(service.LogLines, line => line.Contains(Password, StringComparison.Ordinal));
        Assert.DoesNotContain(Password, status.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedisKilledAndRestarted_UnderLoad_ChecksKeepAnswering_AndReplicasConvergeThroughSqlThenRedis()
    {
        await using var redis = await RedisServer.StartAsync();
        var shared = Path.Combine(Path.GetTempPath(), "qbee-authz-faults", Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string>
        {
            ["Authz:Redis:Configuration"] = $"{redis.Configuration},connectTimeout=1000,connectRetry=1",
            ["Authz:Redis:PollInterval"] = "00:00:00.200",
        };
        try
        {
            await using var a = await ServiceProcess.StartAsync(settings, shared);
            await using var b = await ServiceProcess.StartAsync(settings, shared);
            await a.Admin.CreateAccountAsync(Fleet.Account(Acme, "olivia"));
            var role = await a.Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "auditor", ("audit:read", [])) });
            await b.Authz.CheckAsync(new CheckRequest { UserId = "olivia", Permission = "audit:read", MinRevision = role.Revision }, deadline: DateTime.UtcNow + Deadline);

            using var stop = new CancellationTokenSource();
            var load = new[] { a, b, a, b }.Select(replica => CheckLoopAsync(replica, stop.Token)).ToArray();

            await redis.KillAsync();
            var whileDown = await a.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "bob", "auditor") });
            var bobOnB = await b.Authz.CheckAsync(
                new CheckRequest { UserId = "bob", Permission = "audit:read", MinRevision = whileDown.Revision }, deadline: DateTime.UtcNow + Deadline);
            var redisWhileDown = (await b.Admin.GetStatusAsync(new GetStatusRequest())).Redis.State;
            var healthWhileDown = await b.Health.CheckAsync(new HealthCheckRequest { Service = AuthorizationService.Descriptor.FullName });

            await redis.RestartAsync();
            await WaitForRedisAsync(a);
            await WaitForRedisAsync(b);
            var afterRestart = await a.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "carol", "auditor") });
            var carolOnB = await b.Authz.CheckAsync(
                new CheckRequest { UserId = "carol", Permission = "audit:read", MinRevision = afterRestart.Revision }, deadline: DateTime.UtcNow + Deadline);

            await stop.CancelAsync();
            var answered = (await Task.WhenAll(load)).Sum();

            Assert.True(bobOnB.Allowed);
            Assert.Equal(whileDown.Revision, bobOnB.Revision);
            Assert.Equal("down", redisWhileDown);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, healthWhileDown.Status);
            Assert.True(carolOnB.Allowed);
            Assert.Equal(afterRestart.Revision, carolOnB.Revision);
            Assert.True(answered > 100, $"only {answered} checks answered under load");
        }
        finally
        {
            Directory.Delete(shared, recursive: true);
        }
    }

    /// <summary>Checks olivia until stopped; every one must answer allowed (a failure throws). Returns the count.</summary>
    private static async Task<int> CheckLoopAsync(ServiceProcess replica, CancellationToken stop)
    {
        var answered = 0;
        while (!stop.IsCancellationRequested && answered < 200_000)
        {
            var answer = await replica.Authz.CheckAsync(
                new CheckRequest { UserId = "olivia", Permission = "audit:read" }, deadline: DateTime.UtcNow.AddSeconds(5));
            Assert.True(answer.Allowed, $"a check under the Redis fault answered {answer.Reason}");
            answered++;
        }

        return answered;
    }

    private static async Task WaitForRedisAsync(ServiceProcess replica)
    {
        var until = DateTime.UtcNow + Deadline;
        while ((await replica.Admin.GetStatusAsync(new GetStatusRequest())).Redis.State != "ok")
        {
            Assert.True(DateTime.UtcNow < until, "the replica did not reconnect to Redis in time");
            await Task.Delay(50);
        }
    }

    /// <summary>A loopback port nothing listens on.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
