using System.Runtime.CompilerServices;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Qbee.Authz.Client.Consistency;
using Qbee.Authz.V1;

namespace Qbee.Authz.Client;

/// <summary>Wraps the generated admin client; every write's revision (and every user's account) goes to the tracker.</summary>
internal sealed class GrpcAuthzAdminClient(
    AdminService.AdminServiceClient client,
    IOptions<AuthzClientOptions> options,
    RevisionTracker tracker) : IAuthzAdminClient
{
    private readonly AuthzClientOptions _options = options.Value;

    public async Task<CreateAccountResponse> CreateAccountAsync(string accountId, string name, User owner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var response = await client.CreateAccountAsync(new CreateAccountRequest { AccountId = accountId, Name = name, Owner = owner }, Call(cancellationToken)).ConfigureAwait(false);
        tracker.MapUser(response.Owner?.UserId ?? owner.UserId, accountId);
        Written(accountId, response.Revision);
        return response;
    }

    public async Task<ulong> PutRoleAsync(Role role, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(role);
        var response = await client.PutRoleAsync(new PutRoleRequest { Role = role }, Call(cancellationToken)).ConfigureAwait(false);
        return Written(role.AccountId, response.Revision);
    }

    public async Task<ulong> DeleteRoleAsync(string accountId, string roleId, CancellationToken cancellationToken = default)
    {
        var response = await client.DeleteRoleAsync(new DeleteRoleRequest { AccountId = accountId, RoleId = roleId }, Call(cancellationToken)).ConfigureAwait(false);
        return Written(accountId, response.Revision);
    }

    public async Task<IReadOnlyList<Role>> ListRolesAsync(string accountId, CancellationToken cancellationToken = default)
    {
        var response = await client.ListRolesAsync(new ListRolesRequest { AccountId = accountId }, Call(cancellationToken)).ConfigureAwait(false);
        tracker.Observe(accountId, response.Revision);
        return response.Roles.ToArray();
    }

    public async Task<ulong> PutUserAsync(User user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var response = await client.PutUserAsync(new PutUserRequest { User = user }, Call(cancellationToken)).ConfigureAwait(false);
        tracker.MapUser(user.UserId, user.AccountId);
        return Written(user.AccountId, response.Revision);
    }

    public async Task<ulong> DeleteUserAsync(string accountId, string userId, CancellationToken cancellationToken = default)
    {
        var response = await client.DeleteUserAsync(new DeleteUserRequest { AccountId = accountId, UserId = userId }, Call(cancellationToken)).ConfigureAwait(false);
        return Written(accountId, response.Revision);
    }

    public async Task<IReadOnlyList<User>> ListUsersAsync(string accountId, CancellationToken cancellationToken = default)
    {
        var response = await client.ListUsersAsync(new ListUsersRequest { AccountId = accountId }, Call(cancellationToken)).ConfigureAwait(false);
        tracker.Observe(accountId, response.Revision);
        foreach (var user in response.Users)
        {
            tracker.MapUser(user.UserId, accountId);
        }

        return response.Users.ToArray();
    }

    public async Task<ulong> PutNodeAsync(Node node, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        var response = await client.PutNodeAsync(new PutNodeRequest { Node = node }, Call(cancellationToken)).ConfigureAwait(false);
        return Written(node.AccountId, response.Revision);
    }

    public async Task<ulong> DeleteNodeAsync(string accountId, string nodeId, CancellationToken cancellationToken = default)
    {
        var response = await client.DeleteNodeAsync(new DeleteNodeRequest { AccountId = accountId, NodeId = nodeId }, Call(cancellationToken)).ConfigureAwait(false);
        return Written(accountId, response.Revision);
    }

    public async Task<Node> GetNodeAsync(string accountId, string nodeId, CancellationToken cancellationToken = default)
    {
        var response = await client.GetNodeAsync(new GetNodeRequest { AccountId = accountId, NodeId = nodeId }, Call(cancellationToken)).ConfigureAwait(false);
        tracker.Observe(accountId, response.Revision);
        return response.Node;
    }

    public async Task<ulong> SetRemoteAccessOnNodeAsync(string accountId, string nodeId, RemoteAccessSetting setting, CancellationToken cancellationToken = default)
    {
        var response = await client.SetRemoteAccessAsync(
            new SetRemoteAccessRequest { AccountId = accountId, NodeId = nodeId, Setting = setting }, Call(cancellationToken)).ConfigureAwait(false);
        return Written(accountId, response.Revision);
    }

    public async Task<ulong> SetRemoteAccessOnTagAsync(string accountId, string tag, RemoteAccessSetting setting, CancellationToken cancellationToken = default)
    {
        var response = await client.SetRemoteAccessAsync(
            new SetRemoteAccessRequest { AccountId = accountId, Tag = tag, Setting = setting }, Call(cancellationToken)).ConfigureAwait(false);
        return Written(accountId, response.Revision);
    }

    public async IAsyncEnumerable<AuditEvent> ListAuditEventsAsync(string accountId, string? userId = null, string? deviceId = null, DateTimeOffset? since = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = new ListAuditEventsRequest
        {
            AccountId = accountId,
            UserId = userId ?? string.Empty,
            DeviceId = deviceId ?? string.Empty,
            Since = since is { } time ? Timestamp.FromDateTimeOffset(time) : null,
        };
        while (true)
        {
            var page = await client.ListAuditEventsAsync(request, Call(cancellationToken)).ConfigureAwait(false);
            foreach (var auditEvent in page.Events)
            {
                yield return auditEvent;
            }

            if (page.NextPageToken.Length == 0)
            {
                yield break;
            }

            request.PageToken = page.NextPageToken;
        }
    }

    public async Task<GetStatusResponse> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        var response = await client.GetStatusAsync(new GetStatusRequest(), Call(cancellationToken)).ConfigureAwait(false);
        foreach (var account in response.Accounts)
        {
            tracker.Observe(account.AccountId, account.Revision);
        }

        return response;
    }

    private ulong Written(string accountId, ulong revision)
    {
        tracker.Observe(accountId, revision);
        return revision;
    }

    private CallOptions Call(CancellationToken cancellationToken) =>
        new(deadline: DateTime.UtcNow + _options.AdminDeadline, cancellationToken: cancellationToken);
}
