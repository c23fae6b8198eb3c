using System.Diagnostics;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Security;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.Hosting;

/// <summary>
/// Migrates the store and loads every account's snapshot (with Authz:Snapshots:Preload other than All: the user index
/// and the pinned accounts) before the service reports SERVING.
/// </summary>
internal sealed class StartupInitializer(
    IAuthzStore store,
    RedisConnection redis,
    SnapshotRefresher refresher,
    Readiness readiness,
    SecretRedactor redactor,
    IOptions<StoreOptions> storeOptions,
    TimeProvider timeProvider,
    ILogger<StartupInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await redis.ConnectAsync();

            // The store is the truth: without it nothing can be verified, so the service does not start (Redis's
            // snapshots may be of another history).
            await store.InitializeAsync(cancellationToken);
            HostingLog.StoreReady(logger, storeOptions.Value.Provider, storeOptions.Value.DescribeLocation());
            await refresher.LoadAllAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            HostingLog.StartupFailed(logger, e, redactor.Redact(e.Message));
            throw;
        }

        readiness.MarkReady();
        using var process = Process.GetCurrentProcess();
        HostingLog.Started(logger, (timeProvider.GetUtcNow() - new DateTimeOffset(process.StartTime)).TotalMilliseconds);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
