using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>
/// Ready once the store is open and migrated and every account's snapshot is loaded (on demand: the user index and the
/// pinned accounts). Until then health says
/// NOT_SERVING and checks answer UNAVAILABLE rather than "user not found".
/// </summary>
internal sealed class Readiness : IHealthCheck
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    public void MarkReady() => _ready = true;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_ready
            ? HealthCheckResult.Healthy("store migrated, snapshots loaded")
            : HealthCheckResult.Unhealthy("starting: migrating the store and loading snapshots"));
}
