using Grpc.Core;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Admin;
using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Grpc.Mapping;
using Qbee.Authz.Service.Grpc.Validation;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.V1;
using ProtoRecord = Qbee.Authz.V1.AccountRecord;

namespace Qbee.Authz.Service.Grpc;

/// <summary>qbee.authz.v1.AdminService: thin, validated writes (or their dry runs) go through <see cref="AdminCommands"/>.</summary>
internal sealed class AdminGrpcService(
    AdminCommands commands,
    AccountImports imports,
    IAuthzStore store,
    ServiceStatus status,
    AuditWatches auditWatches,
    IOptions<LimitsOptions> limits) : AdminService.AdminServiceBase
{
    private const int ExportFlushEvery = 256;

    public override async Task<CreateAccountResponse> CreateAccount(CreateAccountRequest request, ServerCallContext context)
    {
        var command = AdminValidator.ToCommand(request);
        var written = await commands.CreateAccountAsync(command, request.DryRun, context.ToAuditContext(request), context.CancellationToken);
        var (account, owner, role) = written.Value;
        return new CreateAccountResponse
        {
            Account = account.ToProto(), Owner = owner.ToProto(), DefaultRole = role.ToProto(), Revision = (ulong)written.Revision,
            Impact = written.Impact.ToProto(written.Revision),
        };
    }

    public override async Task<PutRoleResponse> PutRole(PutRoleRequest request, ServerCallContext context)
    {
        var written = await commands.PutRoleAsync(
            AdminValidator.ToRecord(request.Role, limits.Value), request.DryRun, context.ToAuditContext(request), context.CancellationToken);
        return new PutRoleResponse { Role = written.Value.ToProto(), Revision = (ulong)written.Revision, Impact = written.Impact.ToProto(written.Revision) };
    }

    public override async Task<DeleteRoleResponse> DeleteRole(DeleteRoleRequest request, ServerCallContext context)
    {
        Ids.RequireId(request.AccountId, "account_id");
        Ids.RequireId(request.RoleId, "role_id");
        var written = await commands.DeleteRoleAsync(request.AccountId, request.RoleId, request.DryRun, context.ToAuditContext(request), context.CancellationToken);
        return new() { Revision = (ulong)written.Revision, Impact = written.Impact.ToProto(written.Revision) };
    }

    public override async Task<ListRolesResponse> ListRoles(ListRolesRequest request, ServerCallContext context)
    {
        Ids.RequireId(request.AccountId, "account_id");
        var (roles, revision) = await store.ListRolesAsync(request.AccountId, context.CancellationToken) ?? throw AccountNotFound(request.AccountId);
        var response = new ListRolesResponse { Revision = (ulong)revision };
        response.Roles.AddRange(roles.Select(r => r.ToProto()));
        return response;
    }

    public override async Task<PutUserResponse> PutUser(PutUserRequest request, ServerCallContext context)
    {
        var written = await commands.PutUserAsync(AdminValidator.ToRecord(request.User), request.DryRun, context.ToAuditContext(request), context.CancellationToken);
        return new PutUserResponse { User = written.Value.ToProto(), Revision = (ulong)written.Revision, Impact = written.Impact.ToProto(written.Revision) };
    }

    public override async Task<PutUsersResponse> PutUsers(PutUsersRequest request, ServerCallContext context)
    {
        var records = AdminValidator.ToRecords(request);
        var written = await commands.PutUsersAsync(request.AccountId, records, request.DryRun, context.ToAuditContext(request), context.CancellationToken);
        var response = new PutUsersResponse { Revision = (ulong)written.Revision, Impact = written.Impact.ToProto(written.Revision) };
        response.Users.AddRange(written.Value.Select(u => u.ToProto()));
        return response;
    }

    public override async Task<DeleteUserResponse> DeleteUser(DeleteUserRequest request, ServerCallContext context)
    {
        Ids.RequireId(request.AccountId, "account_id");
        Ids.RequireId(request.UserId, "user_id");
        var written = await commands.DeleteUserAsync(request.AccountId, request.UserId, request.DryRun, context.ToAuditContext(request), context.CancellationToken);
        return new() { Revision = (ulong)written.Revision, Impact = written.Impact.ToProto(written.Revision) };
    }

    public override async Task<ListUsersResponse> ListUsers(ListUsersRequest request, ServerCallContext context)
    {
        Ids.RequireId(request.AccountId, "account_id");
        var (users, revision) = await store.ListUsersAsync(request.AccountId, context.CancellationToken) ?? throw AccountNotFound(request.AccountId);
        var response = new ListUsersResponse { Revision = (ulong)revision };
        response.Users.AddRange(users.Select(u => u.ToProto()));
        return response;
    }

    public override async Task<PutNodeResponse> PutNode(PutNodeRequest request, ServerCallContext context)
    {
        var written = await commands.PutNodeAsync(AdminValidator.ToRecord(request.Node), request.DryRun, context.ToAuditContext(request), context.CancellationToken);
        return new PutNodeResponse { Node = written.Value.ToProto(), Revision = (ulong)written.Revision, Impact = written.Impact.ToProto(written.Revision) };
    }

    public override async Task<PutNodesResponse> PutNodes(PutNodesRequest request, ServerCallContext context)
    {
        var records = AdminValidator.ToRecords(request, limits.Value.MaxNodesPerWrite);
        var written = await commands.PutNodesAsync(request.AccountId, records, request.DryRun, context.ToAuditContext(request), context.CancellationToken);
        var response = new PutNodesResponse { Revision = (ulong)written.Revision, Impact = written.Impact.ToProto(written.Revision) };
        response.Nodes.AddRange(written.Value.Select(n => n.ToProto()));
        return response;
    }

    public override async Task<DeleteNodeResponse> DeleteNode(DeleteNodeRequest request, ServerCallContext context)
    {
        Ids.RequireId(request.AccountId, "account_id");
        Ids.RequireId(request.NodeId, "node_id");
        var written = await commands.DeleteNodeAsync(request.AccountId, request.NodeId, request.DryRun, context.ToAuditContext(request), context.CancellationToken);
        return new() { Revision = (ulong)written.Revision, Impact = written.Impact.ToProto(written.Revision) };
    }

    public override async Task<GetNodeResponse> GetNode(GetNodeRequest request, ServerCallContext context)
    {
        Ids.RequireId(request.AccountId, "account_id");
        Ids.RequireId(request.NodeId, "node_id");
        var (node, revision) = await store.GetNodeAsync(request.AccountId, request.NodeId, context.CancellationToken) ?? throw AccountNotFound(request.AccountId);
        return node is null
            ? throw new NotFoundException($"node {request.NodeId} not found in account {request.AccountId}")
            : new GetNodeResponse { Node = node.ToProto(), Revision = (ulong)revision };
    }

    public override async Task<SetRemoteAccessResponse> SetRemoteAccess(SetRemoteAccessRequest request, ServerCallContext context)
    {
        var written = await commands.SetRemoteAccessAsync(AdminValidator.ToCommand(request), request.DryRun, context.ToAuditContext(request), context.CancellationToken);
        return new() { Revision = (ulong)written.Revision, Impact = written.Impact.ToProto(written.Revision) };
    }

    public override async Task<ListAuditEventsResponse> ListAuditEvents(ListAuditEventsRequest request, ServerCallContext context)
    {
        Ids.RequireId(request.AccountId, "account_id");
        if (request.UserId.Length > 0)
        {
            Ids.RequireId(request.UserId, "user_id");
        }

        if (request.DeviceId.Length > 0)
        {
            Ids.RequireDeviceId(request.DeviceId, "device_id");
        }

        var pageSize = PageToken.ReadPageSize(request.PageSize, limits.Value.MaxPageSize);
        var since = request.Since?.ToDateTimeOffset();
        var tokenQuery = $"audit|{request.AccountId}|{request.UserId}|{request.DeviceId}|{request.Since}";
        var cursor = PageToken.Decode(request.PageToken, tokenQuery, "page_token");
        long? before = null;
        if (cursor.Length > 0)
        {
            before = long.TryParse(cursor, out var id) && id > 0 ? id : throw new InvalidFieldException("page_token", "is not a page token of this service");
        }

        var events = await store.ListAuditEventsAsync(
            new AuditQuery(request.AccountId, pageSize + 1, before, request.UserId, request.DeviceId, since), context.CancellationToken);
        var response = new ListAuditEventsResponse();
        response.Events.AddRange(events.Take(pageSize).Select(e => e.ToProto()));
        if (events.Count > pageSize)
        {
            response.NextPageToken = PageToken.Encode(tokenQuery, events[pageSize - 1].EventId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return response;
    }

    public override Task WatchAuditEvents(WatchAuditEventsRequest request, IServerStreamWriter<AuditEvent> responseStream, ServerCallContext context) =>
        auditWatches.RunAsync(request, responseStream, context);

    public override async Task<GetStatusResponse> GetStatus(GetStatusRequest request, ServerCallContext context) =>
        (await status.GetAsync(context.CancellationToken)).ToProto();

    /// <summary>One read transaction (the account at one revision), streamed record by record as it is mapped.</summary>
    public override async Task ExportAccount(ExportAccountRequest request, IServerStreamWriter<ProtoRecord> responseStream, ServerCallContext context)
    {
        Ids.RequireId(request.AccountId, "account_id");
        var data = await store.LoadAccountAsync(request.AccountId, context.CancellationToken) ?? throw AccountNotFound(request.AccountId);
        // Flushed every FlushEvery records, not after each: a flush per record cost more than the record.
        // (HTTP/JSON streams take no write options: there each record is flushed.)
        var buffered = context.IsHttpJson() ? null : new WriteOptions(WriteFlags.BufferHint);
        var written = 0;
        foreach (var record in ExportMapping.ToRecords(data, request.Replace))
        {
            if (buffered is not null)
            {
                responseStream.WriteOptions = ++written % ExportFlushEvery == 0 ? null : buffered;
            }

            await responseStream.WriteAsync(record, context.CancellationToken);
        }
    }

    /// <summary>
    /// Reads the whole stream before it writes: a stream that breaks off stores nothing, and the one transaction is not
    /// held open while a client sends.
    /// </summary>
    public override async Task<ImportAccountResponse> ImportAccount(IAsyncStreamReader<ProtoRecord> requestStream, ServerCallContext context)
    {
        var builder = new AccountImportBuilder(limits.Value);
        await foreach (var record in requestStream.ReadAllAsync(context.CancellationToken))
        {
            builder.Add(record);
        }

        var import = builder.Build();
        var revision = await imports.ImportAsync(import, context.ToAuditContext(builder.First!), context.CancellationToken);
        return new ImportAccountResponse { AccountId = import.Account.AccountId, Revision = (ulong)revision, Counts = import.Counts.ToProto() };
    }

    private static NotFoundException AccountNotFound(string accountId) => new($"account {accountId} not found");
}
