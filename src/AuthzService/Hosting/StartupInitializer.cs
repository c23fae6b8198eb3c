using System.Diagnostics;
using System.Runtime;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Security;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.Hosting;

/// <summary>
/// Migrates the store and loads every account's snapshot (with Authz:Snapshots:Preload other than All: the user index
/// and the pinned accounts) before the service reports SERVING; Redis connects meanwhile. Logs where start-up's time went.
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
        using var process = Process.GetCurrentProcess();
        var launched = new DateTimeOffset(process.StartTime);
        var initializing = timeProvider.GetTimestamp();
        TimeSpan storeTime;
        try
        {
            // Connecting to Redis (its library's first use: ~0.3 s of a start) overlaps the store's migrations check;
            // the snapshots need both.
            var connecting = redis.ConnectAsync();
            try
            {
                // The store is the truth: without it nothing can be verified, so the service does not start (Redis's
                // snapshots may be of another history).
                await store.InitializeAsync(cancellationToken);
            }
            finally
            {
                await connecting;
            }

            storeTime = timeProvider.GetElapsedTime(initializing);
            HostingLog.StoreReady(logger, storeOptions.Value.Provider, storeOptions.Value.DescribeLocation());
            await refresher.LoadAllAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            HostingLog.StartupFailed(logger, e, redactor.Redact(e.Message));
            throw;
        }

        readiness.MarkReady();
        var initialized = timeProvider.GetElapsedTime(initializing);
        var total = timeProvider.GetUtcNow() - launched;
        HostingLog.Started(logger, total.TotalMilliseconds, (total - initialized).TotalMilliseconds, storeTime.TotalMilliseconds,
            (initialized - storeTime).TotalMilliseconds, JitInfo.GetCompiledMethodCount());
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
