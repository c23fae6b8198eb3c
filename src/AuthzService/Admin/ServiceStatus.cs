using System.Reflection;
using Google.Protobuf.WellKnownTypes;
using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Security;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.Admin;

/// <summary>What GetStatus reports: the store, Redis, the audit queue, and each account's snapshot.</summary>
internal sealed class ServiceStatus(
    IAuthzStore store, SnapshotRegistry registry, AuditQueue audit, RedisConnection redis, SyncFreshness freshness, SecretRedactor redactor, TimeProvider timeProvider)
{
    private static readonly string Version =
        typeof(ServiceStatus).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private readonly DateTimeOffset _startedAt = timeProvider.GetUtcNow();

    public async Task<GetStatusResponse> GetAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var response = new GetStatusResponse
        {
            Version = Version,
            StartedAt = Timestamp.FromDateTimeOffset(_startedAt),
            Redis = new ComponentStatus
            {
                State = redis.State,
                Detail = redis.State switch
                {
                    "disabled" => "no Redis configured (Authz:Redis:Configuration): replicas converge by polling SQL",
                    "down" => "unreachable: answering from memory, converging through SQL; reconnecting",
                    _ => "connected",
                },
            },
            Audit = AuditStatus(),
        };

        Dictionary<string, long> stored;
        try
        {
            var accounts = await store.ListAccountsAsync(cancellationToken);
            stored = accounts.ToDictionary(a => a.AccountId, a => a.Revision, StringComparer.Ordinal);
            response.Store = new ComponentStatus { State = "ok" };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            stored = [];
            response.Store = new ComponentStatus { State = "down", Detail = redactor.Redact(e.Message) };
        }

        foreach (var snapshot in registry.Snapshots.OrderBy(s => s.AccountId, StringComparer.Ordinal))
        {
            response.Accounts.Add(new AccountStatus
            {
                AccountId = snapshot.AccountId,
                Revision = (ulong)stored.GetValueOrDefault(snapshot.AccountId, snapshot.Revision),
                SnapshotRevision = (ulong)snapshot.Revision,
                SnapshotAge = Duration.FromTimeSpan(now - snapshot.BuiltAt),
                Devices = snapshot.DeviceCount,
                Users = snapshot.Users.Count,
                Roles = snapshot.RoleCount,
                ConfirmedAge = freshness.Age(snapshot.AccountId) is { } age ? Duration.FromTimeSpan(age) : null,
            });
        }

        var (oldest, oldestAge) = freshness.Oldest();
        response.OldestConfirmationAge = Duration.FromTimeSpan(oldestAge);
        response.Sync = new ComponentStatus
        {
            State = oldestAge > freshness.MaxStaleness ? "stale" : "ok",
            Detail = oldest is null
                ? "no account held"
                : $"oldest confirmation: account {oldest}, {oldestAge.TotalSeconds:F1} s ago (Authz:Sync:MaxStaleness {freshness.MaxStaleness.TotalSeconds:F0} s)",
        };

        return response;
    }

    private ComponentStatus AuditStatus()
    {
        var queued = $"{audit.Depth}/{audit.Capacity} queued; checks waited for room {audit.FullWaits} times; " +
            $"{audit.Tickets.Refusals} connect checks refused for the audit store";
        return audit.Store.Outage is { } outage
            ? new ComponentStatus
            {
                State = "unavailable",
                Detail = $"audit store unavailable since {outage.Since:O} ({outage.Reason}): remote-access:connect checks are refused; {queued}",
            }
            : new ComponentStatus
            {
                State = audit.FullWaits > 0 && audit.Depth * 10 > audit.Capacity * 9 ? "degraded" : "ok",
                Detail = queued,
            };
    }
}
