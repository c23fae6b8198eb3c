using System.Buffers.Binary;
using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Qbee.Authz.V1;

namespace Qbee.Authz.LoadTool;

internal static class Commands
{
    public static async Task<int> WaitAsync(string address)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var client = new AuthorizationService.AuthorizationServiceClient(channel);
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await client.PingAsync(new PingRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                return 0;
            }
            catch (RpcException) when (DateTime.UtcNow < until)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>
    /// Seeds the account through the AdminService, then, for each scenario, finds a request that gives the
    /// wanted answer with one real call, and writes its gRPC frame and the size of the reply frame it gets.
    /// </summary>
    public static async Task<int> SeedAsync(string address, int devices, string output)
    {
        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 });
        var admin = new AdminService.AdminServiceClient(channel);
        var authz = new AuthorizationService.AuthorizationServiceClient(channel);
        var fleet = new LoadFleet(devices);

        var seeding = Stopwatch.StartNew();
        await fleet.SeedAsync(admin);
        Console.WriteLine($"seeded {fleet.DeviceCount:N0} devices, {fleet.GroupCount:N0} groups, {LoadFleet.Tags} tags, {LoadFleet.Roles} roles, {LoadFleet.Users:N0} users in {seeding.Elapsed.TotalSeconds:F1} s");

        Directory.CreateDirectory(output);
        var manifest = new List<string>();
        async Task Scenario<TRequest, TReply>(string name, string method, TRequest request, Func<TRequest, Task<TReply>> call, Func<TReply, bool> expected)
            where TRequest : IMessage where TReply : IMessage
        {
            var reply = await call(request);
            if (!expected(reply))
            {
                throw new InvalidOperationException($"{name}: unexpected answer {reply}");
            }

            await File.WriteAllBytesAsync(Path.Combine(output, $"{name}.bin"), Frame(request));
            await File.WriteAllBytesAsync(Path.Combine(output, $"{name}.reply"), reply.ToByteArray()); // the empty server answers with it
            manifest.Add($"{name}\t{method}\t{5 + reply.CalculateSize()}");
            var text = reply.ToString() ?? string.Empty;
            Console.WriteLine($"{name}: {(text.Length > 300 ? text[..300] + " ..." : text)}");
        }

        var ping = new PingRequest();
        await Scenario("ping", "qbee.authz.v1.AuthorizationService/Ping", ping, async r => await authz.PingAsync(r), _ => true);
        await Scenario("check-granted", "qbee.authz.v1.AuthorizationService/Check", fleet.GrantedCheck(), async r => await authz.CheckAsync(r),
            r => r.Allowed);
        await Scenario("check-denied", "qbee.authz.v1.AuthorizationService/Check", fleet.OutOfScopeCheck(), async r => await authz.CheckAsync(r),
            r => r.Reason == DecisionReason.DeviceOutOfScope);
        await Scenario("check-tunnel", "qbee.authz.v1.AuthorizationService/Check", fleet.TunnelCheck(), async r => await authz.CheckAsync(r),
            r => r.Allowed);
        await Scenario("batch-100", "qbee.authz.v1.AuthorizationService/CheckBatch", fleet.Batch(100), async r => await authz.CheckBatchAsync(r),
            r => r.Results.Count == 100);
        await File.WriteAllLinesAsync(Path.Combine(output, "manifest.tsv"), manifest);
        return 0;
    }

    /// <summary>A gRPC message on the wire: not compressed (0), 4-byte big-endian length, the message.</summary>
    private static byte[] Frame(IMessage message)
    {
        var body = message.ToByteArray();
        var frame = new byte[5 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)body.Length);
        body.CopyTo(frame, 5);
        return frame;
    }
}
