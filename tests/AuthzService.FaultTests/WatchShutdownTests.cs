using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.FaultTests;

/// <summary>Open WatchRevocations streams never hold up a graceful stop of the real process.</summary>
public sealed class WatchShutdownTests
{
    [Fact]
    public async Task Sigterm_WithOpenWatches_ExitsPromptlyAndEndsEveryStreamWithUnavailable()
    {
        await using var service = await ServiceProcess.StartAsync();
        var created = await service.Admin.CreateAccountAsync(Fleet.Account("acme", "alice"));
        // Their own channel: the fixture's is disposed when the process stops.
        using var channel = GrpcChannel.ForAddress(service.Address);
        var client = new AuthorizationService.AuthorizationServiceClient(channel);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var watches = new List<AsyncServerStreamingCall<RevocationEvent>>();
        for (var i = 0; i < 3; i++)
        {
            watches.Add(client.WatchRevocations(new WatchRevocationsRequest { AccountId = "acme" }, cancellationToken: stop.Token));
            await watches[^1].ResponseHeadersAsync;
        }

        var ends = watches.Select(w => Assert.ThrowsAsync<RpcException>(() => w.ResponseStream.MoveNext(stop.Token))).ToArray();
        var stopping = Stopwatch.StartNew();
        var exitCode = await service.StopAsync();
        stopping.Stop();
        var errors = await Task.WhenAll(ends);
        watches.ForEach(w => w.Dispose());

        // The host waits up to 30 s for open requests: a watch that held on would make the stop last that long.
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(15), $"stopping took {stopping.Elapsed}");
        Assert.Equal(0, exitCode);
        Assert.All(errors, e => Assert.Equal(StatusCode.Unavailable, e.StatusCode));
        Assert.All(errors, e => Assert.Equal($"the service is stopping; resume with after_revision {created.Revision}", e.Status.Detail));
    }
}
