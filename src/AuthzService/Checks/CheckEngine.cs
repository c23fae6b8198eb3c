using System.Text;
using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Evaluation;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Telemetry;

namespace Qbee.Authz.Service.Checks;

/// <summary>
/// Answers Check, CheckBatch and CheckApiCall from the snapshots. The common path (no min_revision wait, no
/// remote-access audit) completes synchronously and allocates nothing; counting it allocates nothing, and timing
/// it reads the clock only while the duration histogram has a listener. A remote-access:connect decision is
/// answered only after its audit event is committed (<see cref="AuditQueue.CommitAsync(AuditRecord, DateTime, CancellationToken)"/>).
/// </summary>
internal sealed class CheckEngine(UserResolver users, AuditQueue audit, TimeProvider timeProvider, AuthzMetrics metrics)
{
    /// <param name="context">Who asked: read for an audited check (<see cref="PreparedCheck.Audited"/>) only.</param>
    /// <param name="deadline">The call's deadline (<see cref="DateTime.MaxValue"/>: none): an audited check's wait ends before it.</param>
    public ValueTask<CheckResult> CheckAsync(in PreparedCheck check, AuditContext context, DateTime deadline, CancellationToken cancellationToken)
    {
        var started = metrics.StartCheck();
        var resolved = users.ResolveAsync(check.UserId, check.MinRevision, cancellationToken);
        if (!resolved.IsCompletedSuccessfully)
        {
            return CheckAfterWaitAsync(resolved, check, context, deadline, started, cancellationToken);
        }

        var (snapshot, user) = resolved.Result;
        var result = Answer(snapshot, user, check);
        if (check.Audited)
        {
            return AuditAsync(result, snapshot, check, context, deadline, started, cancellationToken);
        }

        metrics.Checked(CheckMethod.Check, result.Allowed, result.Reason, started);
        return new ValueTask<CheckResult>(result);
    }

    /// <param name="deadline">The call's deadline (<see cref="DateTime.MaxValue"/>: none): its connect checks' audit wait ends before it.</param>
    public async Task<CheckResult[]> CheckBatchAsync(IReadOnlyList<PreparedCheck> checks, AuditContext context, DateTime deadline, CancellationToken cancellationToken)
    {
        var started = metrics.StartCheck();

        // One snapshot per account for the whole batch, so its answers agree with each other. Most batches name
        // one account, whose snapshot does not change meanwhile: then the dictionary is never touched.
        Dictionary<string, AccountSnapshot>? pinned = null;
        AccountSnapshot? first = null;
        List<AuditRecord>? audited = null;
        var results = new CheckResult[checks.Count];
        for (var i = 0; i < results.Length; i++)
        {
            var check = checks[i];
            var (snapshot, user) = await users.ResolveAsync(check.UserId, check.MinRevision, cancellationToken);
            if (snapshot is not null && !ReferenceEquals(snapshot, first ??= snapshot))
            {
                pinned ??= new Dictionary<string, AccountSnapshot>(StringComparer.Ordinal) { [first.AccountId] = first };
                if (pinned.TryGetValue(snapshot.AccountId, out var held) && held.Revision >= check.MinRevision)
                {
                    snapshot = held;
                    user = held.Users.GetValueOrDefault(check.UserId);
                }
                else
                {
                    pinned[snapshot.AccountId] = snapshot;
                }
            }

            var result = Answer(snapshot, user, check);
            metrics.Checked(CheckMethod.CheckBatch, result.Allowed, result.Reason, started: 0);
            if (check.Audited)
            {
                (audited ??= []).Add(ToAudit(result, snapshot, check, context));
            }

            results[i] = result;
        }

        if (audited is not null)
        {
            // Answered only once every connect decision of the batch is committed: one wait for all of them.
            await audit.CommitAsync(audited, deadline, cancellationToken);
        }

        metrics.Timed(CheckMethod.CheckBatch, started);
        return results;
    }

    public async Task<CheckResult> CheckApiCallAsync(ApiCallCheck call, CancellationToken cancellationToken)
    {
        var started = metrics.StartCheck();
        var route = ApiCallTable.Match(call.Method, call.Path, out var resourceId);
        if (resourceId is not null && !Ids.IsValidId(resourceId))
        {
            throw new InvalidFieldException("path", $"'{Printable.Clip(resourceId)}' is not a valid node id");
        }

        var (snapshot, user) = await users.ResolveAsync(call.UserId, call.MinRevision, cancellationToken);
        if (route is null)
        {
            var unknown = Decision.Deny(DecisionReason.ApiCallUnknown, snapshot?.Revision ?? 0);
            metrics.Checked(CheckMethod.CheckApiCall, allowed: false, DecisionReason.ApiCallUnknown, started);
            return new CheckResult(unknown, string.Empty, call.Explain ? $"{call.Method} {Printable.Clip(call.Path)} is not in the API table." : null);
        }

        StringBuilder? explain = call.Explain ? new StringBuilder().Append(call.Method).Append(' ').Append(route.Template).Append(" needs ")
            .Append(PermissionCatalog.NameOf(route.Permission)).Append(". ") : null;
        var decision = NamedCheck.Decide(snapshot, user, route.Permission, resourceId, route.ResourceNaming, default, explain);
        metrics.Checked(CheckMethod.CheckApiCall, decision.Allowed, decision.Reason, started);
        return new CheckResult(decision, PermissionCatalog.NameOf(route.Permission), explain?.ToString());
    }

    /// <summary>One check on a resolved user: the evaluation and explain text of Check (PolicyTests runs files through it too).</summary>
    internal static CheckResult Answer(AccountSnapshot? snapshot, UserEntry? user, in PreparedCheck check)
    {
        var explain = check.Explain ? new StringBuilder() : null;
        var decision = NamedCheck.Decide(
            snapshot, user, check.Permission, check.DeviceId.Length > 0 ? check.DeviceId : null, NodeNaming.Device, check.RemoteAccess, explain);
        return new CheckResult(decision, PermissionCatalog.NameOf(check.Permission), explain?.ToString());
    }

    private async ValueTask<CheckResult> CheckAfterWaitAsync(
        ValueTask<(AccountSnapshot? Snapshot, UserEntry? User)> resolving,
        PreparedCheck check,
        AuditContext context,
        DateTime deadline,
        long started,
        CancellationToken cancellationToken)
    {
        var (snapshot, user) = await resolving;
        var result = Answer(snapshot, user, check);
        if (check.Audited)
        {
            return await AuditAsync(result, snapshot, check, context, deadline, started, cancellationToken);
        }

        metrics.Checked(CheckMethod.Check, result.Allowed, result.Reason, started);
        return result;
    }

    /// <summary>A connect decision is answered once its event is committed (UNAVAILABLE when it cannot be): counted and timed then.</summary>
    private async ValueTask<CheckResult> AuditAsync(
        CheckResult result, AccountSnapshot? snapshot, PreparedCheck check, AuditContext context, DateTime deadline, long started, CancellationToken cancellationToken)
    {
        await audit.CommitAsync(ToAudit(result, snapshot, check, context), deadline, cancellationToken);
        metrics.Checked(CheckMethod.Check, result.Allowed, result.Reason, started);
        return result;
    }

    private AuditRecord ToAudit(in CheckResult result, AccountSnapshot? snapshot, in PreparedCheck check, AuditContext context) =>
        new(
            EventId: 0,
            Time: timeProvider.GetUtcNow(),
            AccountId: snapshot?.AccountId ?? string.Empty,
            Kind: "remote_access.check",
            UserId: check.UserId,
            DeviceId: check.DeviceId,
            Permission: result.Permission,
            RemoteAccess: check.AskedRemoteAccess,
            Allowed: result.Allowed,
            Reason: (int)result.Reason,
            RoleId: result.RoleId,
            Resource: result.Resource,
            Caller: context.Caller,
            RequestId: context.RequestId,
            Detail: result.Message,
            Revision: result.Revision);
}
