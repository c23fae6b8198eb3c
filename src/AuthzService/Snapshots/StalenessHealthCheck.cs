using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>
/// Unhealthy while an account has not been confirmed current within Authz:Sync:MaxStaleness: mapped to the health
/// of AuthorizationService only, so Kubernetes stops routing checks here while the replica keeps answering.
/// </summary>
internal sealed class StalenessHealthCheck(SyncFreshness freshness) : IHealthCheck
{
    public const string Name = "staleness";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        freshness.Review();
        var (accountId, age) = freshness.Oldest();
        return Task.FromResult(age > freshness.MaxStaleness
            ? HealthCheckResult.Unhealthy(
                $"account {accountId} last confirmed current with the store {age.TotalSeconds:F0} s ago (Authz:Sync:MaxStaleness {freshness.MaxStaleness.TotalSeconds:F0} s)")
            : HealthCheckResult.Healthy("every account confirmed current within Authz:Sync:MaxStaleness"));
    }
}
