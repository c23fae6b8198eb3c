using Qbee.Authz.V1;

namespace Qbee.Authz.Client;

/// <summary>
/// The admin API (the source of truth). Entities are the contract's messages (<see cref="Role"/>, <see cref="User"/>,
/// <see cref="Node"/>); every write returns the account's new revision, which the client remembers for
/// read-your-writes. Calls carry <see cref="AuthzClientOptions.AdminDeadline"/> and are not retried.
/// </summary>
public interface IAuthzAdminClient
{
    /// <summary>Creates an account with its <c>root</c> and <c>unassigned_group</c>, the full-rights default role and its owner.</summary>
    /// <param name="accountId">The account id.</param>
    /// <param name="name">The account's name.</param>
    /// <param name="owner">The first user, given the default role.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<CreateAccountResponse> CreateAccountAsync(string accountId, string name, User owner, CancellationToken cancellationToken = default);

    /// <summary>Creates or replaces a role; returns the new revision.</summary>
    /// <param name="role">The role.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ulong> PutRoleAsync(Role role, CancellationToken cancellationToken = default);

    /// <summary>Deletes a role (FAILED_PRECONDITION while it is assigned); returns the new revision.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="roleId">The role.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ulong> DeleteRoleAsync(string accountId, string roleId, CancellationToken cancellationToken = default);

    /// <summary>The roles of an account.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<IReadOnlyList<Role>> ListRolesAsync(string accountId, CancellationToken cancellationToken = default);

    /// <summary>Creates or replaces a user; returns the new revision.</summary>
    /// <param name="user">The user.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ulong> PutUserAsync(User user, CancellationToken cancellationToken = default);

    /// <summary>Deletes a user; returns the new revision.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ulong> DeleteUserAsync(string accountId, string userId, CancellationToken cancellationToken = default);

    /// <summary>The users of an account.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<IReadOnlyList<User>> ListUsersAsync(string accountId, CancellationToken cancellationToken = default);

    /// <summary>Creates, moves or retags a node (group or device); returns the new revision.</summary>
    /// <param name="node">The node.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ulong> PutNodeAsync(Node node, CancellationToken cancellationToken = default);

    /// <summary>Deletes a device or an empty group; returns the new revision.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="nodeId">The node.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ulong> DeleteNodeAsync(string accountId, string nodeId, CancellationToken cancellationToken = default);

    /// <summary>One node.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="nodeId">The node.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Node> GetNodeAsync(string accountId, string nodeId, CancellationToken cancellationToken = default);

    /// <summary>Sets "remote console / remote access" on a node; returns the new revision.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="nodeId">A group (root included) or a device.</param>
    /// <param name="setting">Enabled, disabled, or clear (inherit again).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ulong> SetRemoteAccessOnNodeAsync(string accountId, string nodeId, RemoteAccessSetting setting, CancellationToken cancellationToken = default);

    /// <summary>Sets "remote console / remote access" on every device with a tag; returns the new revision.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="tag">The tag.</param>
    /// <param name="setting">Enabled, disabled, or clear (inherit again).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ulong> SetRemoteAccessOnTagAsync(string accountId, string tag, RemoteAccessSetting setting, CancellationToken cancellationToken = default);

    /// <summary>The audit events of an account, newest first, following the pages.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="userId">Only this user's events, when given.</param>
    /// <param name="deviceId">Only this device's events, when given.</param>
    /// <param name="since">Only events at or after this time, when given.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    IAsyncEnumerable<AuditEvent> ListAuditEventsAsync(string accountId, string? userId = null, string? deviceId = null, DateTimeOffset? since = null, CancellationToken cancellationToken = default);

    /// <summary>The service's status: store, Redis, audit, and each account's revision and snapshot age.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<GetStatusResponse> GetStatusAsync(CancellationToken cancellationToken = default);
}
