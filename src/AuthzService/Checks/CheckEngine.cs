using System.Text;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Admin;
using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Evaluation;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Grpc;
using Qbee.Authz.Service.Hosting;
using Qbee.Authz.Service.Telemetry;
using Qbee.Authz.Service.Grpc.Mapping;
using Qbee.Authz.V1;
using DecisionReason = Qbee.Authz.Service.Domain.Evaluation.DecisionReason;

namespace Qbee.Authz.Service.Checks;

/// <summary>
/// Answers Check, CheckBatch and CheckApiCall from the snapshots. The common path (no min_revision wait, no
/// remote-access audit) completes synchronously and allocates only the response; counting it allocates nothing,
/// and timing it reads the clock only while the duration histogram has a listener. A remote-access:connect
/// decision is answered only after its audit event is committed (<see cref="AuditQueue.CommitAsync(AuditRecord, DateTime, CancellationToken)"/>).
/// </summary>
internal sealed class CheckEngine(UserResolver users, AuditQueue audit, IOptions<LimitsOptions> limits, TimeProvider timeProvider, AuthzMetrics metrics)
{
    private readonly int _maxBatch = limits.Value.MaxBatch;
    private const int MaxPathLength = 2048;

    /// <remarks>The call context is read for audit only, so checks that are not audited never touch its headers.</remarks>
    public ValueTask<CheckResponse> CheckAsync(CheckRequest request, ServerCallContext context, CancellationToken cancellationToken)
    {
        var started = metrics.StartCheck();
        var check = PreparedCheck.From(request);
        var resolved = users.ResolveAsync(check.UserId, check.MinRevision, cancellationToken);
        if (!resolved.IsCompletedSuccessfully)
        {
            return CheckAfterWaitAsync(resolved, check, request, context, started, cancellationToken);
        }

        var (snapshot, user) = resolved.Result;
        var response = Answer(snapshot, user, check);
        if (check.Permission == Permission.RemoteAccessConnect)
        {
            return AuditAsync(response, snapshot, request, context, started, cancellationToken);
        }

        metrics.Checked(CheckMethod.Check, response.Allowed, response.Reason.ToDomain(), started);
        return new ValueTask<CheckResponse>(response);
    }

    /// <param name="deadline">The call's deadline (<see cref="DateTime.MaxValue"/>: none): its connect checks' audit wait ends before it.</param>
    public async Task<CheckBatchResponse> CheckBatchAsync(CheckBatchRequest request, AuditContext context, DateTime deadline, CancellationToken cancellationToken)
    {
        if (request.Checks.Count == 0 || request.Checks.Count > _maxBatch)
        {
            throw new InvalidFieldException("checks", $"must hold 1..{_maxBatch} checks (has {request.Checks.Count})");
        }

        var started = metrics.StartCheck();

        var prepared = new PreparedCheck[request.Checks.Count];
        for (var i = 0; i < prepared.Length; i++)
        {
            prepared[i] = PreparedCheck.From(request.Checks[i], i);
        }

        // One snapshot per account for the whole batch, so its answers agree with each other. Most batches name
        // one account, whose snapshot does not change meanwhile: then the dictionary is never touched.
        Dictionary<string, AccountSnapshot>? pinned = null;
        AccountSnapshot? first = null;
        List<AuditRecord>? audited = null;
        var response = new CheckBatchResponse();
        response.Results.Capacity = prepared.Length;
        for (var i = 0; i < prepared.Length; i++)
        {
            var (snapshot, user) = await users.ResolveAsync(prepared[i].UserId, prepared[i].MinRevision, cancellationToken).ConfigureAwait(false);
            if (snapshot is not null && !ReferenceEquals(snapshot, first ??= snapshot))
            {
                pinned ??= new Dictionary<string, AccountSnapshot>(StringComparer.Ordinal) { [first.AccountId] = first };
                if (pinned.TryGetValue(snapshot.AccountId, out var held) && held.Revision >= prepared[i].MinRevision)
                {
                    snapshot = held;
                    user = held.Users.GetValueOrDefault(prepared[i].UserId);
                }
                else
                {
                    pinned[snapshot.AccountId] = snapshot;
                }
            }

            var answer = Answer(snapshot, user, prepared[i]);
            metrics.Checked(CheckMethod.CheckBatch, answer.Allowed, answer.Reason.ToDomain(), started: 0);
            if (prepared[i].Permission == Permission.RemoteAccessConnect)
            {
                (audited ??= []).Add(ToAudit(answer, snapshot, request.Checks[i], context));
            }

            response.Results.Add(answer);
        }

        if (audited is not null)
        {
            // Answered only once every connect decision of the batch is committed: one wait for all of them.
            await audit.CommitAsync(audited, deadline, cancellationToken).ConfigureAwait(false);
        }

        metrics.Timed(CheckMethod.CheckBatch, started);
        return response;
    }

    public async Task<CheckResponse> CheckApiCallAsync(CheckApiCallRequest request, CancellationToken cancellationToken)
    {
        var started = metrics.StartCheck();
        Ids.RequireId(request.UserId, "user_id");
        var method = request.Method.ToUpperInvariant();
        if (!ApiCallTable.IsKnownMethod(method))
        {
            throw new InvalidFieldException("method", "must be GET, POST, PUT, PATCH or DELETE");
        }

        if (request.Path.Length is 0 or > MaxPathLength || request.Path[0] != '/' || request.Path.Any(char.IsControl))
        {
            throw new InvalidFieldException("path", $"must be an absolute URL path of at most {MaxPathLength} characters without control characters");
        }

        var route = ApiCallTable.Match(method, request.Path, out var resourceId);
        if (resourceId is not null && !Ids.IsValidId(resourceId))
        {
            throw new InvalidFieldException("path", $"'{Domain.Printable.Clip(resourceId)}' is not a valid node id");
        }

        var (snapshot, user) = await users.ResolveAsync(request.UserId, UserResolver.ToRevision(request.MinRevision), cancellationToken).ConfigureAwait(false);
        if (route is null)
        {
            var unknown = Decision.Deny(DecisionReason.ApiCallUnknown, snapshot?.Revision ?? 0);
            metrics.Checked(CheckMethod.CheckApiCall, allowed: false, DecisionReason.ApiCallUnknown, started);
            return ToResponse(unknown, string.Empty, request.Explain ? $"{method} {Domain.Printable.Clip(request.Path)} is not in the API table." : null);
        }

        StringBuilder? explain = request.Explain ? new StringBuilder().Append(method).Append(' ').Append(route.Template).Append(" needs ")
            .Append(PermissionCatalog.NameOf(route.Permission)).Append(". ") : null;
        var decision = Decide(snapshot, user, route.Permission, resourceId, route.ResourceSegment >= 0 ? route.Segments[route.ResourceSegment] : null, default, explain);
        metrics.Checked(CheckMethod.CheckApiCall, decision.Allowed, decision.Reason, started);
        return ToResponse(decision, PermissionCatalog.NameOf(route.Permission), explain?.ToString());
    }

    public static CheckResponse Answer(AccountSnapshot? snapshot, UserEntry? user, in PreparedCheck check)
    {
        var explain = check.Explain ? new StringBuilder() : null;
        var decision = Decide(snapshot, user, check.Permission, check.DeviceId.Length > 0 ? check.DeviceId : null, "{device_id}", check.RemoteAccess, explain);
        return ToResponse(decision, PermissionCatalog.NameOf(check.Permission), explain?.ToString());
    }

    /// <param name="nodeId">The device (or, for an API call, node) named; null: none.</param>
    /// <param name="parameter">How the node was named: {device_id} must be a device, {group_id} a group, {node_id} either.</param>
    private static Decision Decide(
        AccountSnapshot? snapshot,
        UserEntry? user,
        Permission permission,
        string? nodeId,
        string? parameter,
        in Domain.Resources.RemoteAccessQuery query,
        StringBuilder? explain)
    {
        if (snapshot is null)
        {
            explain?.Append("No account has this user. ");
            return Decision.Deny(DecisionReason.UserNotFound, 0);
        }

        var node = -1;
        var missing = false;
        if (nodeId is not null && PermissionCatalog.IsRestrictable(permission))
        {
            missing = !snapshot.TryGetNode(nodeId, out node) || !KindFits(snapshot.IsDevice(node), parameter);
            if (missing)
            {
                node = -1;
            }
        }

        return Evaluator.Check(snapshot, user, permission, node, missing, query, explain);
    }

    private static bool KindFits(bool isDevice, string? parameter) => parameter switch
    {
        "{device_id}" => isDevice,
        "{group_id}" => !isDevice,
        _ => true,
    };

    private static CheckResponse ToResponse(in Decision decision, string permission, string? explanation) => new()
    {
        Allowed = decision.Allowed,
        Reason = decision.Reason.ToProto(),
        Permission = permission,
        RoleId = decision.Grant?.RoleId ?? string.Empty,
        Resource = decision.Allowed ? decision.Grant?.Resource ?? string.Empty : string.Empty,
        Restricted = decision.Restricted,
        Revision = (ulong)decision.Revision,
        Message = explanation is null ? decision.Sentence : $"{decision.Sentence} {explanation}".TrimEnd(),
    };

    private async ValueTask<CheckResponse> CheckAfterWaitAsync(
        ValueTask<(AccountSnapshot? Snapshot, UserEntry? User)> resolving,
        PreparedCheck check,
        CheckRequest request,
        ServerCallContext context,
        long started,
        CancellationToken cancellationToken)
    {
        var (snapshot, user) = await resolving.ConfigureAwait(false);
        var response = Answer(snapshot, user, check);
        if (check.Permission == Permission.RemoteAccessConnect)
        {
            return await AuditAsync(response, snapshot, request, context, started, cancellationToken).ConfigureAwait(false);
        }

        metrics.Checked(CheckMethod.Check, response.Allowed, response.Reason.ToDomain(), started);
        return response;
    }

    /// <summary>A connect decision is answered once its event is committed (UNAVAILABLE when it cannot be): counted and timed then.</summary>
    private async ValueTask<CheckResponse> AuditAsync(
        CheckResponse response, AccountSnapshot? snapshot, CheckRequest request, ServerCallContext context, long started, CancellationToken cancellationToken)
    {
        await audit.CommitAsync(ToAudit(response, snapshot, request, context.ToAuditContext()), context.Deadline, cancellationToken).ConfigureAwait(false);
        metrics.Checked(CheckMethod.Check, response.Allowed, response.Reason.ToDomain(), started);
        return response;
    }

    private AuditRecord ToAudit(CheckResponse response, AccountSnapshot? snapshot, CheckRequest request, AuditContext context)
    {
        var remote = request.RemoteAccess;
        return new AuditRecord(
            EventId: 0,
            Time: timeProvider.GetUtcNow(),
            AccountId: snapshot?.AccountId ?? string.Empty,
            Kind: "remote_access.check",
            UserId: request.UserId,
            DeviceId: request.DeviceId,
            Permission: response.Permission,
            RemoteAccess: remote is null ? null : new RemoteAccessRequest(
                (RemoteAction)(int)remote.Action, remote.Proto, (int)Math.Min(remote.Port, int.MaxValue), remote.Dst, remote.Direction, remote.Path),
            Allowed: response.Allowed,
            Reason: (int)response.Reason,
            RoleId: response.RoleId,
            Resource: response.Resource,
            Caller: context.Caller,
            RequestId: context.RequestId,
            Detail: response.Message,
            Revision: (long)response.Revision);
    }
}
