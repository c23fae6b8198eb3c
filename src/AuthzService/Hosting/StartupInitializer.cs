using System.Data.Common;
using System.Diagnostics;
using Qbee.Authz.Service.Caching;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.Hosting;

/// <summary>Migrates the store and loads every account's snapshot before the service reports SERVING.</summary>
internal sealed class StartupInitializer(
    IAuthzStore store,
    RedisConnection redis,
    SnapshotRefresher refresher,
    Readiness readiness,
    ILogger<StartupInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await redis.ConnectAsync();
            try
            {
                await store.InitializeAsync(cancellationToken);
            }
            catch (DbException e) when (redis.IsConnected)
            {
                // Redis holds the snapshots: serve them; the store is migrated at the next start.
                AuthzLog.StoreUnavailable(logger, e.Message);
            }

            await refresher.LoadAllAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            AuthzLog.StartupFailed(logger, e, e.Message);
            throw;
        }

        readiness.MarkReady();
        AuthzLog.Started(logger, (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
