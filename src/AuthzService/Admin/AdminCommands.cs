using Google.Protobuf;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.Service.Telemetry;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.Admin;

/// <summary>
/// The admin writes: validate, write in one store transaction (with its audit event), then rebuild the
/// account's snapshot before answering, so the writer's next check sees its own write. Each write is one span
/// (named like its audit event) with the account and the revision it made.
/// </summary>
internal sealed class AdminCommands(IAuthzStore store, SnapshotRefresher refresher, IOptions<LimitsOptions> limits, TimeProvider timeProvider)
{
    public const string DefaultRoleName = "Default";

    public async Task<(AccountRecord Account, UserRecord Owner, RoleRecord DefaultRole, long Revision)> CreateAccountAsync(
        CreateAccountRequest request, AuditContext context, CancellationToken cancellationToken)
    {
        using var span = AuthzActivities.StartAdminWrite("admin.create_account", request.AccountId);
        Ids.RequireId(request.AccountId, "account_id");
        var name = TextRules.Require(request.Name, "name", AdminLimits.MaxNameLength);
        if (request.Owner is null)
        {
            throw new InvalidFieldException("owner", "is required");
        }

        if (request.Owner.AccountId.Length > 0 && request.Owner.AccountId != request.AccountId)
        {
            throw new InvalidFieldException("owner.account_id", "must be empty or the new account's id");
        }

        if (request.Owner.RoleIds.Any(r => r != Ids.DefaultRoleId))
        {
            throw new InvalidFieldException("owner.role_ids", $"the owner gets the '{Ids.DefaultRoleId}' role; other roles do not exist yet");
        }

        var ownerMessage = request.Owner.Clone();
        ownerMessage.AccountId = request.AccountId;
        ownerMessage.RoleIds.Clear();
        ownerMessage.RoleIds.Add(Ids.DefaultRoleId);
        var owner = AdminValidator.ToRecord(ownerMessage, "owner");

        var defaultRole = new RoleRecord(
            request.AccountId,
            Ids.DefaultRoleId,
            DefaultRoleName,
            "Every permission on every device: given to the account's first user.",
            PermissionCatalog.CanonicalNames.Select(p => new PolicyRecord(p, [])).ToArray());
        var account = new AccountRecord(request.AccountId, name, 1);
        var audit = Audit(request.AccountId, "admin.create_account", request, context, userId: owner.UserId);
        var revision = await store.CreateAccountAsync(account, defaultRole, owner, audit, cancellationToken).ConfigureAwait(false);
        await Refresh(span, request.AccountId, revision).ConfigureAwait(false);
        return (account with { Revision = revision }, owner, defaultRole, revision);
    }

    public async Task<(RoleRecord Role, long Revision)> PutRoleAsync(PutRoleRequest request, AuditContext context, CancellationToken cancellationToken)
    {
        using var span = AuthzActivities.StartAdminWrite("admin.put_role", request.Role?.AccountId);
        var role = AdminValidator.ToRecord(request.Role, limits.Value);
        var revision = await store.PutRoleAsync(role, Audit(role.AccountId, "admin.put_role", request, context), cancellationToken).ConfigureAwait(false);
        await Refresh(span, role.AccountId, revision).ConfigureAwait(false);
        return (role, revision);
    }

    public async Task<long> DeleteRoleAsync(DeleteRoleRequest request, AuditContext context, CancellationToken cancellationToken)
    {
        using var span = AuthzActivities.StartAdminWrite("admin.delete_role", request.AccountId);
        Ids.RequireId(request.AccountId, "account_id");
        Ids.RequireId(request.RoleId, "role_id");
        var revision = await store.DeleteRoleAsync(request.AccountId, request.RoleId, Audit(request.AccountId, "admin.delete_role", request, context), cancellationToken).ConfigureAwait(false);
        await Refresh(span, request.AccountId, revision).ConfigureAwait(false);
        return revision;
    }

    public async Task<(UserRecord User, long Revision)> PutUserAsync(PutUserRequest request, AuditContext context, CancellationToken cancellationToken)
    {
        using var span = AuthzActivities.StartAdminWrite("admin.put_user", request.User?.AccountId);
        var user = AdminValidator.ToRecord(request.User);
        var audit = Audit(user.AccountId, "admin.put_user", request, context, userId: user.UserId);
        var revision = await store.PutUserAsync(user, audit, cancellationToken).ConfigureAwait(false);
        await Refresh(span, user.AccountId, revision).ConfigureAwait(false);
        return (user, revision);
    }

    public async Task<long> DeleteUserAsync(DeleteUserRequest request, AuditContext context, CancellationToken cancellationToken)
    {
        using var span = AuthzActivities.StartAdminWrite("admin.delete_user", request.AccountId);
        Ids.RequireId(request.AccountId, "account_id");
        Ids.RequireId(request.UserId, "user_id");
        var audit = Audit(request.AccountId, "admin.delete_user", request, context, userId: request.UserId);
        var revision = await store.DeleteUserAsync(request.AccountId, request.UserId, audit, cancellationToken).ConfigureAwait(false);
        await Refresh(span, request.AccountId, revision).ConfigureAwait(false);
        return revision;
    }

    public async Task<(NodeRecord Node, long Revision)> PutNodeAsync(PutNodeRequest request, AuditContext context, CancellationToken cancellationToken)
    {
        using var span = AuthzActivities.StartAdminWrite("admin.put_node", request.Node?.AccountId);
        var node = AdminValidator.ToRecord(request.Node);
        var audit = Audit(node.AccountId, "admin.put_node", request, context, deviceId: node.Kind == NodeKind.Device ? node.NodeId : string.Empty);
        var (stored, revision) = await store.PutNodeAsync(node, audit, cancellationToken).ConfigureAwait(false);
        await Refresh(span, node.AccountId, revision).ConfigureAwait(false);
        return (stored, revision);
    }

    public async Task<(IReadOnlyList<NodeRecord> Nodes, long Revision)> PutNodesAsync(PutNodesRequest request, AuditContext context, CancellationToken cancellationToken)
    {
        using var span = AuthzActivities.StartAdminWrite("admin.put_nodes", request.AccountId);
        Ids.RequireId(request.AccountId, "account_id");
        if (request.Nodes.Count == 0 || request.Nodes.Count > limits.Value.MaxNodesPerWrite)
        {
            throw new InvalidFieldException("nodes", $"must hold 1..{limits.Value.MaxNodesPerWrite} nodes (has {request.Nodes.Count})");
        }

        var nodes = new NodeRecord[request.Nodes.Count];
        for (var i = 0; i < nodes.Length; i++)
        {
            nodes[i] = AdminValidator.ToRecord(request.Nodes[i], $"nodes[{i}]");
            if (nodes[i].AccountId != request.AccountId)
            {
                throw new InvalidFieldException($"nodes[{i}].account_id", "must be the request's account_id");
            }
        }

        var audit = Audit(request.AccountId, "admin.put_nodes", request, context);
        var (stored, revision) = await store.PutNodesAsync(request.AccountId, nodes, audit, cancellationToken).ConfigureAwait(false);
        await Refresh(span, request.AccountId, revision).ConfigureAwait(false);
        return (stored, revision);
    }

    public async Task<long> DeleteNodeAsync(DeleteNodeRequest request, AuditContext context, CancellationToken cancellationToken)
    {
        using var span = AuthzActivities.StartAdminWrite("admin.delete_node", request.AccountId);
        Ids.RequireId(request.AccountId, "account_id");
        Ids.RequireId(request.NodeId, "node_id");
        var audit = Audit(request.AccountId, "admin.delete_node", request, context, deviceId: Ids.IsDeviceId(request.NodeId) ? request.NodeId : string.Empty);
        var revision = await store.DeleteNodeAsync(request.AccountId, request.NodeId, audit, cancellationToken).ConfigureAwait(false);
        await Refresh(span, request.AccountId, revision).ConfigureAwait(false);
        return revision;
    }

    public async Task<long> SetRemoteAccessAsync(SetRemoteAccessRequest request, AuditContext context, CancellationToken cancellationToken)
    {
        using var span = AuthzActivities.StartAdminWrite("admin.set_remote_access", request.AccountId);
        Ids.RequireId(request.AccountId, "account_id");
        var byNode = request.NodeId.Length > 0;
        var byTag = request.Tag.Length > 0;
        if (byNode == byTag)
        {
            throw new InvalidFieldException("node_id", "give exactly one of node_id and tag");
        }

        if (byNode)
        {
            Ids.RequireId(request.NodeId, "node_id");
        }
        else
        {
            Ids.RequireId(request.Tag, "tag");
        }

        bool? enabled = request.Setting switch
        {
            RemoteAccessSetting.Enabled => true,
            RemoteAccessSetting.Disabled => false,
            RemoteAccessSetting.Clear => null,
            _ => throw new InvalidFieldException("setting", "must be ENABLED, DISABLED or CLEAR"),
        };

        var audit = Audit(request.AccountId, "admin.set_remote_access", request, context, deviceId: Ids.IsDeviceId(request.NodeId) ? request.NodeId : string.Empty);
        var revision = await store.SetRemoteAccessAsync(
            request.AccountId,
            byNode ? RemoteAccessTarget.Node : RemoteAccessTarget.Tag,
            byNode ? request.NodeId : request.Tag,
            enabled,
            audit,
            cancellationToken).ConfigureAwait(false);
        await Refresh(span, request.AccountId, revision).ConfigureAwait(false);
        return revision;
    }

    // The write has committed: rebuild even if the caller has gone, or this replica would answer stale.
    private async Task Refresh(AdminWriteSpan span, string accountId, long revision)
    {
        span.Committed(revision);
        await refresher.EnsureRevisionAsync(accountId, revision, CancellationToken.None).ConfigureAwait(false);
        span.Completed();
    }

    private AuditRecord Audit(string accountId, string kind, IMessage request, AuditContext context, string userId = "", string deviceId = "") =>
        new(
            EventId: 0,
            Time: timeProvider.GetUtcNow(),
            AccountId: accountId,
            Kind: kind,
            UserId: userId,
            DeviceId: deviceId,
            Permission: string.Empty,
            RemoteAccess: null,
            Allowed: true,
            Reason: 0,
            RoleId: string.Empty,
            Resource: string.Empty,
            Caller: context.Caller,
            RequestId: context.RequestId,
            Detail: JsonFormatter.Default.Format(request),
            Revision: 0);
}
