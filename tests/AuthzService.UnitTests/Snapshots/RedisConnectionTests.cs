using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Snapshots;

namespace Qbee.Authz.Service.UnitTests.Snapshots;

public sealed class RedisConnectionTests
{
    private const int ConnectionFailedEvent = 30;

    [Fact]
    public async Task ConnectAsync_UnreachableWithAPassword_LogsTheConfigurationWithoutThePassword()
    {
        const string Password = "s3cr3t-Redis-pw";
        var log = new ListLogger<RedisConnection>();
        await using var redis = new RedisConnection(
            Options.Create(new SyncOptions { Configuration = $"127.0.0.1:{ClosedPort()},password={Password},connectTimeout=200,connectRetry=0" }), log);

        await redis.ConnectAsync();

        Assert.Equal("down", redis.State);
        var line = Assert.Single(log.Lines, l => l.EventId.Id == ConnectionFailedEvent && l.Message.Contains("not reachable at start", StringComparison.Ordinal));
        Assert.Contains("127.0.0.1:", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(log.Lines, l => l.Message.Contains(Password, StringComparison.Ordinal));
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
