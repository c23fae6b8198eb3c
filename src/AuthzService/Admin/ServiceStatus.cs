using System.Reflection;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Security;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.Admin;

/// <summary>What GetStatus reports: the store, Redis, the audit queue, and each account's snapshot.</summary>
internal sealed class ServiceStatus(
    IAuthzStore store, SnapshotRegistry registry, AuditQueue audit, RedisConnection redis, SyncFreshness freshness, SecretRedactor redactor,
    IOptions<SnapshotOptions> options, TimeProvider timeProvider)
{
    // The audit queue is "degraded" once checks have had to wait for room and it is still over 90% full: it is not
    // keeping up. Integer percent: Depth * 100 stays far below int.MaxValue for the largest QueueCapacity (10^7).
    private const int DegradedQueueFillPercent = 90;

    private static readonly string Version =
        typeof(ServiceStatus).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private readonly DateTimeOffset _startedAt = timeProvider.GetUtcNow();

    public async Task<StatusReport> GetAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var redisReport = new ComponentReport(
            redis.State,
            redis.State switch
            {
                "disabled" => "no Redis configured (Authz:Redis:Configuration): replicas converge by polling SQL",
                "down" => "unreachable: answering from memory, converging through SQL; reconnecting",
                _ => "connected",
            });
        var auditReport = AuditStatus();

        Dictionary<string, long> stored;
        ComponentReport storeReport;
        try
        {
            var accounts = await store.ListAccountsAsync(cancellationToken);
            stored = accounts.ToDictionary(a => a.AccountId, a => a.Revision, StringComparer.Ordinal);
            storeReport = new ComponentReport("ok");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            stored = [];
            storeReport = new ComponentReport("down", redactor.Redact(e.Message));
        }

        var accountReports = new List<AccountReport>();
        foreach (var snapshot in registry.Snapshots.OrderBy(s => s.AccountId, StringComparer.Ordinal))
        {
            accountReports.Add(new AccountReport(
                AccountId: snapshot.AccountId,
                Revision: stored.GetValueOrDefault(snapshot.AccountId, snapshot.Revision),
                SnapshotRevision: snapshot.Revision,
                SnapshotAge: now - snapshot.BuiltAt,
                Devices: snapshot.DeviceCount,
                Users: snapshot.Users.Count,
                Roles: snapshot.RoleCount,
                ConfirmedAge: freshness.Age(snapshot.AccountId),
                SnapshotBytes: snapshot.EstimatedBytes));
        }

        if (options.Value.OnDemand)
        {
            // On demand: the store's accounts this replica does not hold, so that what is cold shows.
            var held = accountReports.Select(a => a.AccountId).ToHashSet(StringComparer.Ordinal);
            foreach (var (accountId, revision) in stored.Where(a => !held.Contains(a.Key)).OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                accountReports.Add(new AccountReport(accountId, revision, 0, TimeSpan.Zero, 0, 0, 0, null, 0, Loaded: false));
            }

            accountReports.Sort((a, b) => string.CompareOrdinal(a.AccountId, b.AccountId));
        }

        var (oldest, oldestAge) = freshness.Oldest();
        var syncReport = new ComponentReport(
            oldestAge > freshness.MaxStaleness ? "stale" : "ok",
            oldest is null
                ? "no account held"
                : $"oldest confirmation: account {oldest}, {oldestAge.TotalSeconds:F1} s ago (Authz:Sync:MaxStaleness {freshness.MaxStaleness.TotalSeconds:F0} s)");

        return new StatusReport(Version, _startedAt, storeReport, redisReport, auditReport, syncReport, accountReports, oldestAge);
    }

    private ComponentReport AuditStatus()
    {
        var queued = $"{audit.Depth}/{audit.Capacity} queued; checks waited for room {audit.FullWaits} times; " +
            $"{audit.Tickets.Refusals} connect checks refused for the audit store";
        return audit.Store.Outage is { } outage
            ? new ComponentReport(
                "unavailable",
                $"audit store unavailable since {outage.Since:O} ({outage.Reason}): remote-access:connect checks are refused; {queued}")
            : new ComponentReport(audit.FullWaits > 0 && audit.Depth * 100 > audit.Capacity * DegradedQueueFillPercent ? "degraded" : "ok", queued);
    }
}
