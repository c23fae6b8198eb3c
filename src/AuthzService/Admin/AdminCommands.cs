using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.Service.Telemetry;

namespace Qbee.Authz.Service.Admin;

/// <summary>
/// The admin writes, of records that passed validation: write in one store transaction (with its audit event),
/// then rebuild the account's snapshot before answering, so the writer's next check sees its own write. Each
/// write is one span (named like its audit event) with the account and the revision it made.
/// </summary>
internal sealed class AdminCommands(IAuthzStore store, SnapshotRefresher refresher, TimeProvider timeProvider)
{
    public const string DefaultRoleName = "Default";

    public async Task<(AccountRecord Account, UserRecord Owner, RoleRecord DefaultRole, long Revision)> CreateAccountAsync(
        CreateAccountCommand command, AuditContext context, CancellationToken cancellationToken)
    {
        using var span = AuthzActivities.StartAdminWrite("admin.create_account", command.AccountId);
        var defaultRole = new RoleRecord(
            command.AccountId,
            Ids.DefaultRoleId,
            DefaultRoleName,
            "Every permission on every device: given to the account's first user.",
            PermissionCatalog.CanonicalNames.Select(p => new PolicyRecord(p, [])).ToArray());
        var account = new AccountRecord(command.AccountId, command.Name, 1);
        var audit = Audit(command.AccountId, "admin.create_account", context, userId: command.Owner.UserId);
        var revision = await store.CreateAccountAsync(account, defaultRole, command.Owner, audit, cancellationToken);
        await Refresh(span, command.AccountId, revision);
        return (account with { Revision = revision }, command.Owner, defaultRole, revision);
    }

    public async Task<(RoleRecord Role, long Revision)> PutRoleAsync(RoleRecord role, AuditContext context, CancellationToken cancellationToken)
    {
        using var span = AuthzActivities.StartAdminWrite("admin.put_role", role.AccountId);
        var revision = await store.PutRoleAsync(role, Audit(role.AccountId, "admin.put_role", context), cancellationToken);
        await Refresh(span, role.AccountId, revision);
        return (role, revision);
    }

    public async Task<long> DeleteRoleAsync(string accountId, string roleId, AuditContext context, CancellationToken cancellationToken)
    {
        using var span = AuthzActivities.StartAdminWrite("admin.delete_role", accountId);
        var revision = await store.DeleteRoleAsync(accountId, roleId, Audit(accountId, "admin.delete_role", context), cancellationToken);
        await Refresh(span, accountId, revision);
        return revision;
    }

    public async Task<(UserRecord User, long Revision)> PutUserAsync(UserRecord user, AuditContext context, CancellationToken cancellationToken)
    {
        using var span = AuthzActivities.StartAdminWrite("admin.put_user", user.AccountId);
        var audit = Audit(user.AccountId, "admin.put_user", context, userId: user.UserId);
        var revision = await store.PutUserAsync(user, audit, cancellationToken);
        await Refresh(span, user.AccountId, revision);
        return (user, revision);
    }

    /// <param name="users">Every one of <paramref name="accountId"/>.</param>
    public async Task<(IReadOnlyList<UserRecord> Users, long Revision)> PutUsersAsync(
        string accountId, IReadOnlyList<UserRecord> users, AuditContext context, CancellationToken cancellationToken)
    {
        using var span = AuthzActivities.StartAdminWrite("admin.put_users", accountId);
        var audit = Audit(accountId, "admin.put_users", context);
        var (stored, revision) = await store.PutUsersAsync(accountId, users, audit, cancellationToken);
        await Refresh(span, accountId, revision);
        return (stored, revision);
    }

    public async Task<long> DeleteUserAsync(string accountId, string userId, AuditContext context, CancellationToken cancellationToken)
    {
        using var span = AuthzActivities.StartAdminWrite("admin.delete_user", accountId);
        var audit = Audit(accountId, "admin.delete_user", context, userId: userId);
        var revision = await store.DeleteUserAsync(accountId, userId, audit, cancellationToken);
        await Refresh(span, accountId, revision);
        return revision;
    }

    public async Task<(NodeRecord Node, long Revision)> PutNodeAsync(NodeRecord node, AuditContext context, CancellationToken cancellationToken)
    {
        using var span = AuthzActivities.StartAdminWrite("admin.put_node", node.AccountId);
        var audit = Audit(node.AccountId, "admin.put_node", context, deviceId: node.Kind == NodeKind.Device ? node.NodeId : string.Empty);
        var (stored, revision) = await store.PutNodeAsync(node, audit, cancellationToken);
        await Refresh(span, node.AccountId, revision);
        return (stored, revision);
    }

    /// <param name="nodes">Every one of <paramref name="accountId"/>.</param>
    public async Task<(IReadOnlyList<NodeRecord> Nodes, long Revision)> PutNodesAsync(
        string accountId, IReadOnlyList<NodeRecord> nodes, AuditContext context, CancellationToken cancellationToken)
    {
        using var span = AuthzActivities.StartAdminWrite("admin.put_nodes", accountId);
        var audit = Audit(accountId, "admin.put_nodes", context);
        var (stored, revision) = await store.PutNodesAsync(accountId, nodes, audit, cancellationToken);
        await Refresh(span, accountId, revision);
        return (stored, revision);
    }

    public async Task<long> DeleteNodeAsync(string accountId, string nodeId, AuditContext context, CancellationToken cancellationToken)
    {
        using var span = AuthzActivities.StartAdminWrite("admin.delete_node", accountId);
        var audit = Audit(accountId, "admin.delete_node", context, deviceId: Ids.IsDeviceId(nodeId) ? nodeId : string.Empty);
        var revision = await store.DeleteNodeAsync(accountId, nodeId, audit, cancellationToken);
        await Refresh(span, accountId, revision);
        return revision;
    }

    public async Task<long> SetRemoteAccessAsync(SetRemoteAccessCommand command, AuditContext context, CancellationToken cancellationToken)
    {
        using var span = AuthzActivities.StartAdminWrite("admin.set_remote_access", command.AccountId);
        var onDevice = command.TargetKind == RemoteAccessTarget.Node && Ids.IsDeviceId(command.Target);
        var audit = Audit(command.AccountId, "admin.set_remote_access", context, deviceId: onDevice ? command.Target : string.Empty);
        var revision = await store.SetRemoteAccessAsync(
            command.AccountId, command.TargetKind, command.Target, command.Enabled, audit, cancellationToken);
        await Refresh(span, command.AccountId, revision);
        return revision;
    }

    // The write has committed: rebuild even if the caller has gone, or this replica would answer stale.
    private async Task Refresh(AdminWriteSpan span, string accountId, long revision)
    {
        span.Committed(revision);
        await refresher.EnsureRevisionAsync(accountId, revision, CancellationToken.None);
        span.Completed();
    }

    /// <summary>The event of an admin write: what was asked is the context's <see cref="AuditContext.Detail"/>.</summary>
    private AuditRecord Audit(string accountId, string kind, AuditContext context, string userId = "", string deviceId = "") =>
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
            Detail: context.Detail,
            Revision: 0);
}
