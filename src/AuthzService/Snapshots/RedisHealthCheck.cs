using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>Redis down is degraded, never unhealthy: checks are still answered from memory (gRPC health stays SERVING).</summary>
internal sealed class RedisHealthCheck(RedisConnection redis) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(redis.State switch
        {
            "down" => HealthCheckResult.Degraded("Redis is unreachable: answering from memory, converging through SQL"),
            var state => HealthCheckResult.Healthy($"Redis {state}"),
        });
}
