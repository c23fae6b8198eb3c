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
/// write is one span (named like its audit event) with the account and the revision it made. With
/// <c>dryRun</c> the same write is rehearsed instead (<see cref="DryRunner"/>): checked as it, nothing stored, and
/// the answer carries its impact.
/// </summary>
internal sealed class AdminCommands(IAuthzStore store, AccountLoader accounts, DryRunner dryRuns, TimeProvider timeProvider)
{
    public const string DefaultRoleName = "Default";

    public Task<WriteResult<(AccountRecord Account, UserRecord Owner, RoleRecord DefaultRole)>> CreateAccountAsync(
        CreateAccountCommand command, bool dryRun, AuditContext context, CancellationToken cancellationToken)
    {
        var defaultRole = new RoleRecord(
            command.AccountId,
            Ids.DefaultRoleId,
            DefaultRoleName,
            "Every permission on every device: given to the account's first user.",
            PermissionCatalog.CanonicalNames.Select(p => new PolicyRecord(p, [])).ToArray());
        var account = new AccountRecord(command.AccountId, command.Name, 1);
        var audit = Audit(command.AccountId, "admin.create_account", context, userId: command.Owner.UserId);
        return WriteAsync("admin.create_account", command.AccountId, dryRun, async s =>
        {
            var revision = await s.CreateAccountAsync(account, defaultRole, command.Owner, audit, cancellationToken);
            return ((account with { Revision = revision }, command.Owner, defaultRole), revision);
        }, cancellationToken);
    }

    public Task<WriteResult<RoleRecord>> PutRoleAsync(RoleRecord role, bool dryRun, AuditContext context, CancellationToken cancellationToken) =>
        WriteAsync("admin.put_role", role.AccountId, dryRun, async s =>
            (role, await s.PutRoleAsync(role, Audit(role.AccountId, "admin.put_role", context), cancellationToken)), cancellationToken);

    public Task<WriteResult<string>> DeleteRoleAsync(string accountId, string roleId, bool dryRun, AuditContext context, CancellationToken cancellationToken) =>
        WriteAsync("admin.delete_role", accountId, dryRun, async s =>
            (roleId, await s.DeleteRoleAsync(accountId, roleId, Audit(accountId, "admin.delete_role", context), cancellationToken)), cancellationToken);

    public Task<WriteResult<UserRecord>> PutUserAsync(UserRecord user, bool dryRun, AuditContext context, CancellationToken cancellationToken)
    {
        var audit = Audit(user.AccountId, "admin.put_user", context, userId: user.UserId);
        return WriteAsync("admin.put_user", user.AccountId, dryRun, async s =>
            (user, await s.PutUserAsync(user, audit, cancellationToken)), cancellationToken);
    }

    /// <param name="users">Every one of <paramref name="accountId"/>.</param>
    public Task<WriteResult<IReadOnlyList<UserRecord>>> PutUsersAsync(
        string accountId, IReadOnlyList<UserRecord> users, bool dryRun, AuditContext context, CancellationToken cancellationToken)
    {
        var audit = Audit(accountId, "admin.put_users", context);
        return WriteAsync("admin.put_users", accountId, dryRun, s => s.PutUsersAsync(accountId, users, audit, cancellationToken), cancellationToken);
    }

    public Task<WriteResult<string>> DeleteUserAsync(string accountId, string userId, bool dryRun, AuditContext context, CancellationToken cancellationToken)
    {
        var audit = Audit(accountId, "admin.delete_user", context, userId: userId);
        return WriteAsync("admin.delete_user", accountId, dryRun, async s =>
            (userId, await s.DeleteUserAsync(accountId, userId, audit, cancellationToken)), cancellationToken);
    }

    public Task<WriteResult<NodeRecord>> PutNodeAsync(NodeRecord node, bool dryRun, AuditContext context, CancellationToken cancellationToken)
    {
        var audit = Audit(node.AccountId, "admin.put_node", context, deviceId: node.Kind == NodeKind.Device ? node.NodeId : string.Empty);
        return WriteAsync("admin.put_node", node.AccountId, dryRun, s => s.PutNodeAsync(node, audit, cancellationToken), cancellationToken);
    }

    /// <param name="nodes">Every one of <paramref name="accountId"/>.</param>
    public Task<WriteResult<IReadOnlyList<NodeRecord>>> PutNodesAsync(
        string accountId, IReadOnlyList<NodeRecord> nodes, bool dryRun, AuditContext context, CancellationToken cancellationToken)
    {
        var audit = Audit(accountId, "admin.put_nodes", context);
        return WriteAsync("admin.put_nodes", accountId, dryRun, s => s.PutNodesAsync(accountId, nodes, audit, cancellationToken), cancellationToken);
    }

    public Task<WriteResult<string>> DeleteNodeAsync(string accountId, string nodeId, bool dryRun, AuditContext context, CancellationToken cancellationToken)
    {
        var audit = Audit(accountId, "admin.delete_node", context, deviceId: Ids.IsDeviceId(nodeId) ? nodeId : string.Empty);
        return WriteAsync("admin.delete_node", accountId, dryRun, async s =>
            (nodeId, await s.DeleteNodeAsync(accountId, nodeId, audit, cancellationToken)), cancellationToken);
    }

    public Task<WriteResult<SetRemoteAccessCommand>> SetRemoteAccessAsync(
        SetRemoteAccessCommand command, bool dryRun, AuditContext context, CancellationToken cancellationToken)
    {
        var onDevice = command.TargetKind == RemoteAccessTarget.Node && Ids.IsDeviceId(command.Target);
        var audit = Audit(command.AccountId, "admin.set_remote_access", context, deviceId: onDevice ? command.Target : string.Empty);
        return WriteAsync("admin.set_remote_access", command.AccountId, dryRun, async s =>
            (command, await s.SetRemoteAccessAsync(command.AccountId, command.TargetKind, command.Target, command.Enabled, audit, cancellationToken)),
            cancellationToken);
    }

    /// <summary>One write through <paramref name="write"/>: on the store and refreshed, or rehearsed.</summary>
    private async Task<WriteResult<T>> WriteAsync<T>(
        string kind, string accountId, bool dryRun, Func<IAuthzStore, Task<(T Value, long Revision)>> write, CancellationToken cancellationToken)
    {
        if (dryRun)
        {
            var rehearsed = await dryRuns.RunAsync(accountId, async s => (await write(s)).Value, cancellationToken);
            return rehearsed;
        }

        using var span = AuthzActivities.StartAdminWrite(kind, accountId);
        var (value, revision) = await write(store);
        await Refresh(span, accountId, revision);
        return new WriteResult<T>(value, revision, null);
    }

    // The write has committed: rebuild even if the caller has gone, or this replica would answer stale. On demand, the
    // account is loaded when cold and the budget enforced after, as for a check's load.
    private async Task Refresh(AdminWriteSpan span, string accountId, long revision)
    {
        span.Committed(revision);
        await accounts.FollowWriteAsync(accountId, revision, CancellationToken.None);
        span.Completed();
    }

    private AuditRecord Audit(string accountId, string kind, AuditContext context, string userId = "", string deviceId = "") =>
        AdminAuditEvent.Of(timeProvider.GetUtcNow(), accountId, kind, context, userId, deviceId);
}
