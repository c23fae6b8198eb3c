using System.Diagnostics;
using Qbee.Authz.TestKit;
using Qbee.Authz.V1;

namespace Qbee.Authz.Harness;

/// <summary>
/// <c>--convergence [writes]</c>: two replicas in this process on loopback (the kit's <see cref="AuthzServer"/>),
/// one SQLite file, one real redis-server. Each write goes to replica A; the time from its answer until a Check
/// on replica B with that write's revision as min_revision answers is how long B took to see it (plus one
/// loopback call). Polling is set to 10 minutes, so only Redis's change message can carry the write across.
/// </summary>
internal static class ConvergenceHarness
{
    public static async Task RunAsync(int writes)
    {
        await using var redis = await RedisServer.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Authz:Redis:Configuration"] = redis.Configuration,
            ["Authz:Redis:PollInterval"] = "00:10:00",
            ["Authz:Sync:MaxStaleness"] = "01:00:00",
        };
        var data = Path.Combine(Path.GetTempPath(), "qbee-authz-convergence", Guid.NewGuid().ToString("N"));
        await using var a = await AuthzServer.StartAsync(settings, data);
        await using var b = await AuthzServer.StartAsync(settings, data);

        await a.Admin.CreateAccountAsync(new CreateAccountRequest
        {
            AccountId = "acme", Name = "Acme", Owner = new User { UserId = "olivia", Email = "olivia@example.com" },
        });

        var writeMs = new double[writes];
        var visibleMs = new double[writes];
        for (var i = 0; i < writes; i++)
        {
            var node = new Node { AccountId = "acme", NodeId = i.ToString("x64"), Type = NodeType.Device, Title = $"device {i}" };
            var started = Stopwatch.GetTimestamp();
            var written = await a.Admin.PutNodeAsync(new PutNodeRequest { Node = node });
            var answered = Stopwatch.GetTimestamp();
            var seen = await b.Authz.CheckAsync(
                new CheckRequest { UserId = "olivia", Permission = "device:read", DeviceId = node.NodeId, MinRevision = written.Revision },
                deadline: DateTime.UtcNow.AddSeconds(10));
            if (!seen.Allowed)
            {
                throw new InvalidOperationException($"replica B did not allow device {i}: {seen.Reason}");
            }

            writeMs[i] = Stopwatch.GetElapsedTime(started, answered).TotalMilliseconds;
            visibleMs[i] = Stopwatch.GetElapsedTime(answered).TotalMilliseconds;
        }

        Console.WriteLine($"{writes} writes on A (PutNode), each then checked on B with its revision as min_revision");
        Console.WriteLine($"write on A (commit + rebuild + Redis store + announce): {Percentiles.Summary(writeMs)}");
        Console.WriteLine($"visible in a Check on B after the write answered:        {Percentiles.Summary(visibleMs)}");
    }
}
