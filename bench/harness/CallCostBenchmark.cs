using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Qbee.Authz.TestKit;
using Qbee.Authz.V1;

namespace Qbee.Authz.Harness;

/// <summary>
/// <c>--call-cost [calls]</c>: what a Check costs above a truly empty grpc-dotnet handler, in allocated bytes and
/// CPU time per call, measured where the machine's load matters least (issue 18). The service (the kit's
/// <see cref="AuthzServer"/>) and an empty server (Kestrel + AddGrpc(), no interceptors, the same contract answered
/// with constants, as <c>bench/load</c>'s <c>LoadTool empty</c>) run in this process on loopback; 16 callers in
/// this process drive each scenario, the scenarios alternating, 7 rounds. The figures are process-wide, client
/// included: compare <c>check-granted</c> with <c>empty-check</c>, whose request and reply bytes are identical
/// (the empty server answers with the granted reply), so the difference is the service's alone.
/// </summary>
internal static class CallCostBenchmark
{
    private const int Callers = 16;
    private const int Rounds = 7;
    private const string Account = "cost";

    public static async Task<int> RunAsync(int calls)
    {
        Console.WriteLine($"call cost: {calls:N0} calls per scenario and round, {Callers} callers, {Rounds} rounds; " +
            $"{Environment.ProcessorCount} cores, load average at start {WriteBenchmark.LoadAverage()}, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        var data = Path.Combine(Path.GetTempPath(), "qbee-authz-call-cost", Guid.NewGuid().ToString("N"));
        await using var server = await AuthzServer.StartAsync(dataDirectory: data);
        var (granted, denied) = await SeedAsync(server.Admin);
        var grantedReply = await server.Authz.CheckAsync(granted);
        var deniedReply = await server.Authz.CheckAsync(denied);
        if (!grantedReply.Allowed || deniedReply.Reason != DecisionReason.DeviceOutOfScope)
        {
            throw new InvalidOperationException($"unexpected answers: {grantedReply} / {deniedReply}");
        }

        await using var empty = await EmptyHandler.StartAsync(grantedReply);
        using var emptyChannel = GrpcChannel.ForAddress(empty.Address);
        var emptyClient = new AuthorizationService.AuthorizationServiceClient(emptyChannel);
        var service = server.Authz;
        var ping = new PingRequest();
        (string Name, Func<Task> Call)[] scenarios =
        [
            ("empty", async () => await emptyClient.PingAsync(ping)),
            ("empty-check", async () => await emptyClient.CheckAsync(granted)),
            ("ping", async () => await service.PingAsync(ping)),
            ("check-granted", async () => await service.CheckAsync(granted)),
            ("check-denied", async () => await service.CheckAsync(denied)),
        ];

        foreach (var (_, call) in scenarios)
        {
            await DriveAsync(call, Math.Max(calls, 20_000)); // tiered JIT and PGO settle first
        }

        var bytes = scenarios.ToDictionary(s => s.Name, _ => new List<double>());
        var cpu = scenarios.ToDictionary(s => s.Name, _ => new List<double>());
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var (name, call) in scenarios)
            {
                var (perCallBytes, perCallMicros) = await DriveAsync(call, calls);
                bytes[name].Add(perCallBytes);
                cpu[name].Add(perCallMicros);
            }
        }

        Console.WriteLine($"{"scenario",-14} {"bytes/call",10} {"CPU µs/call",12} {"CPU vs empty-check",19}   (medians of {Rounds} rounds; client and server)");
        var baseline = Median(cpu["empty-check"]);
        foreach (var (name, _) in scenarios)
        {
            Console.WriteLine($"{name,-14} {Median(bytes[name]),10:F0} {Median(cpu[name]),12:F2} {Median(cpu[name]) / baseline,19:F2}");
        }

        Console.WriteLine($"check-granted - empty-check: {Median(bytes["check-granted"]) - Median(bytes["empty-check"]):F0} bytes, " +
            $"{Median(cpu["check-granted"]) - baseline:F2} µs CPU per call; load average at the end {WriteBenchmark.LoadAverage()}");
        return 0;
    }

    private static async Task<(double Bytes, double Micros)> DriveAsync(Func<Task> call, int calls)
    {
        var left = calls;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var bytesBefore = GC.GetTotalAllocatedBytes(precise: true);
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(async _ =>
        {
            while (Interlocked.Decrement(ref left) >= 0)
            {
                await call();
            }
        }));
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - bytesBefore;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        return ((double)bytes / calls, cpu.TotalMicroseconds / calls);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>A user granted device:read on tag:t0, a device with the tag (granted) and one without (out of scope).</summary>
    private static async Task<(CheckRequest Granted, CheckRequest Denied)> SeedAsync(AdminService.AdminServiceClient admin)
    {
        await admin.CreateAccountAsync(Fleet.Account(Account));
        await admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Account, "reader", ("device:read", ["tag:t0"])) });
        await admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Account, "reader", "reader") });
        var nodes = new PutNodesRequest { AccountId = Account };
        nodes.Nodes.Add(Fleet.Group(Account, "g1"));
        for (var i = 0; i < 100; i++)
        {
            nodes.Nodes.Add(i % 2 == 0 ? Fleet.Device(Account, Fleet.DeviceId(i), "g1", "t0") : Fleet.Device(Account, Fleet.DeviceId(i), "g1"));
        }

        await admin.PutNodesAsync(nodes);
        return (new CheckRequest { UserId = "reader", Permission = "device:read", DeviceId = Fleet.DeviceId(0) },
            new CheckRequest { UserId = "reader", Permission = "device:read", DeviceId = Fleet.DeviceId(1) });
    }

    /// <summary>Kestrel + AddGrpc() and nothing else; logging providers cleared as the kit's server clears them.</summary>
    private sealed class EmptyHandler(WebApplication app, string address) : IAsyncDisposable
    {
        public string Address => address;

        public static async Task<EmptyHandler> StartAsync(CheckResponse granted)
        {
            var builder = WebApplication.CreateBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(e => e.Protocols = HttpProtocols.Http2));
            builder.Services.AddGrpc();
            builder.Services.AddSingleton(new ConstantAnswers(granted));
            var app = builder.Build();
            app.MapGrpcService<EmptyAuthorization>();
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new EmptyHandler(app, address);
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private sealed class ConstantAnswers(CheckResponse granted)
    {
        public Task<CheckResponse> Granted { get; } = Task.FromResult(granted);

        public Task<PingResponse> Pong { get; } = Task.FromResult(new PingResponse());
    }

    private sealed class EmptyAuthorization(ConstantAnswers answers) : AuthorizationService.AuthorizationServiceBase
    {
        public override Task<PingResponse> Ping(PingRequest request, ServerCallContext context) => answers.Pong;

        public override Task<CheckResponse> Check(CheckRequest request, ServerCallContext context) => answers.Granted;
    }
}
