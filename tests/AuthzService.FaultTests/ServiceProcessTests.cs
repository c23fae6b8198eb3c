using Grpc.Health.V1;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.FaultTests;

/// <summary>The fixture itself: the process starts, answers, survives a kill on its files, and stops on SIGTERM.</summary>
public sealed class ServiceProcessTests
{
    [Fact]
    public async Task KillAsync_ThenRestart_ServesTheCommittedWrites()
    {
        await using var service = await ServiceProcess.StartAsync();
        var created = await service.Admin.CreateAccountAsync(Fleet.Account("acme", "alice"));
        Assert.Contains(service.LogLines, line => line.Contains($"Store Sqlite at {service.DatabasePath}", StringComparison.Ordinal));

        await service.KillAsync();
        Assert.False(service.IsRunning);
        await service.RestartAsync();

        var answer = await service.Authz.CheckAsync(new CheckRequest { UserId = "alice", Permission = "device:read" });
        Assert.True(answer.Allowed, answer.Message);
        Assert.Equal(created.Revision, answer.Revision);
    }

    [Fact]
    public async Task Start_WithoutCallersOnAllInterfaces_SaysWhyOnceAndExitsWithoutAStackTrace()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartAsync(
            new Dictionary<string, string> { ["Kestrel:Endpoints:Open:Url"] = "http://0.0.0.0:0" }));

        Assert.Contains("exit code 2", error.Message, StringComparison.Ordinal);
        Assert.Single(error.Message.Split('\n'), line => line.Contains("Refusing to start", StringComparison.Ordinal) && !line.Contains("Hosting failed", StringComparison.Ordinal));
        Assert.DoesNotContain("Unhandled exception", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("No callers are configured", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.Message, StringComparison.Ordinal); // no stack trace
    }

    [Fact]
    public async Task StopAsync_Sigterm_ExitsCleanlyAndSaysSo()
    {
        await using var service = await ServiceProcess.StartAsync();
        await service.WaitForHealthAsync(HealthCheckResponse.Types.ServingStatus.Serving, AuthorizationService.Descriptor.FullName);

        var exitCode = await service.StopAsync();

        Assert.Equal(0, exitCode);
        Assert.Contains(service.LogLines, line => line.Contains("Application is shutting down", StringComparison.Ordinal));
    }
}
