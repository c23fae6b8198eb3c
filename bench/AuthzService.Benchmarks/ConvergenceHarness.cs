using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Qbee.Authz.Service.Hosting;
using Api = Qbee.Authz.V1;

namespace Qbee.Authz.Benchmarks;

/// <summary>
/// <c>--convergence [writes]</c>: two replicas in this process on loopback, one SQLite file, one real
/// redis-server. Each write goes to replica A; the time from its answer until a Check on replica B with that
/// write's revision as min_revision answers is how long B took to see it (plus one loopback call).
/// Polling is set to 10 minutes, so only Redis's change message can carry the write across.
/// </summary>
internal static class ConvergenceHarness
{
    public static async Task RunAsync(int writes)
    {
        var port = FreePort();
        using var redis = Process.Start(new ProcessStartInfo("redis-server", $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("redis-server did not start");
        var data = Path.Combine(Path.GetTempPath(), "qbee-authz-convergence", Guid.NewGuid().ToString("N"));
        try
        {
            await WaitForPortAsync(port);
            await using var a = await StartAsync(data, port);
            await using var b = await StartAsync(data, port);
            using var channelA = GrpcChannel.ForAddress(Address(a));
            using var channelB = GrpcChannel.ForAddress(Address(b));
            var admin = new Api.AdminService.AdminServiceClient(channelA);
            var checks = new Api.AuthorizationService.AuthorizationServiceClient(channelB);

            await admin.CreateAccountAsync(new Api.CreateAccountRequest
            {
                AccountId = "acme", Name = "Acme", Owner = new Api.User { UserId = "olivia", Email = "olivia@example.com" },
            });

            var writeMs = new double[writes];
            var visibleMs = new double[writes];
            for (var i = 0; i < writes; i++)
            {
                var node = new Api.Node { AccountId = "acme", NodeId = i.ToString("x64"), Type = Api.NodeType.Device, Title = $"device {i}" };
                var started = Stopwatch.GetTimestamp();
                var written = await admin.PutNodeAsync(new Api.PutNodeRequest { Node = node });
                var answered = Stopwatch.GetTimestamp();
                var seen = await checks.CheckAsync(
                    new Api.CheckRequest { UserId = "olivia", Permission = "device:read", DeviceId = node.NodeId, MinRevision = written.Revision },
                    deadline: DateTime.UtcNow.AddSeconds(10));
                if (!seen.Allowed)
                {
                    throw new InvalidOperationException($"replica B did not allow device {i}: {seen.Reason}");
                }

                writeMs[i] = Stopwatch.GetElapsedTime(started, answered).TotalMilliseconds;
                visibleMs[i] = Stopwatch.GetElapsedTime(answered).TotalMilliseconds;
            }

            Console.WriteLine($"{writes} writes on A (PutNode), each then checked on B with its revision as min_revision");
            Console.WriteLine($"write on A (commit + rebuild + Redis store + announce): {Percentiles(writeMs)}");
            Console.WriteLine($"visible in a Check on B after the write answered:        {Percentiles(visibleMs)}");
        }
        finally
        {
            redis.Kill();
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<WebApplication> StartAsync(string data, int redisPort)
    {
        var app = AuthzApp.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Authz:Store:ConnectionString"] = $"Data Source={Path.Combine(data, "authz.db")}",
                ["Authz:Redis:Configuration"] = $"127.0.0.1:{redisPort}",
                ["Authz:Redis:PollInterval"] = "00:10:00",
                ["Authz:Sync:MaxStaleness"] = "01:00:00",
            });
            builder.Logging.ClearProviders();
        });
        await app.StartAsync();
        return app;
    }

    private static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    private static string Percentiles(double[] values)
    {
        var sorted = values.Order().ToArray();
        double At(double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        return $"p50 {At(0.50):F2} ms, p99 {At(0.99):F2} ms, max {sorted[^1]:F2} ms";
    }

    private static async Task WaitForPortAsync(int port)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < until)
            {
                await Task.Delay(20);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
