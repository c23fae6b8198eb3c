using Grpc.Core;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Checks;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Grpc.Mapping;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.Grpc;

/// <summary>qbee.authz.v1.AuthorizationService: thin, every answer comes from the check engine.</summary>
internal sealed class AuthorizationGrpcService(
    CheckEngine checks, ScopeQueries scopes, DeviceUserQueries deviceUsers, RevocationWatches watches, IOptions<LimitsOptions> limits)
    : AuthorizationService.AuthorizationServiceBase
{
    /// <remarks>The call context is read for audit only, so checks that are not audited never touch its headers.</remarks>
    public override Task<CheckResponse> Check(CheckRequest request, ServerCallContext context)
    {
        var check = CheckMapping.ToCheck(request);
        var answer = check.Audited
            ? checks.CheckAsync(check, context.ToAuditContext(), context.Deadline, context.CancellationToken)
            : checks.CheckAsync(check, default, DateTime.MaxValue, context.CancellationToken);
        return answer.IsCompletedSuccessfully ? Task.FromResult(answer.Result.ToProto()) : AnswerAsync(answer);
    }

    public override async Task<CheckBatchResponse> CheckBatch(CheckBatchRequest request, ServerCallContext context)
    {
        var batch = CheckMapping.ToChecks(request, limits.Value.MaxBatch);
        return CheckMapping.ToProto(await checks.CheckBatchAsync(batch, context.ToAuditContext(), context.Deadline, context.CancellationToken));
    }

    public override async Task<CheckResponse> CheckApiCall(CheckApiCallRequest request, ServerCallContext context) =>
        (await checks.CheckApiCallAsync(CheckMapping.ToApiCall(request), context.CancellationToken)).ToProto();

    public override async Task<ResolveScopeResponse> ResolveScope(ResolveScopeRequest request, ServerCallContext context) =>
        ScopeMapping.ToProto(await scopes.ResolveScopeAsync(ScopeMapping.ToQuery(request), context.CancellationToken));

    public override async Task<ListAllowedDevicesResponse> ListAllowedDevices(ListAllowedDevicesRequest request, ServerCallContext context)
    {
        var query = ScopeMapping.ToQuery(request, limits.Value.MaxPageSize, out var tokenQuery);
        return ScopeMapping.ToProto(await scopes.ListAllowedDevicesAsync(query, context.CancellationToken), tokenQuery);
    }

    public override async Task<ListDeviceUsersResponse> ListDeviceUsers(ListDeviceUsersRequest request, ServerCallContext context)
    {
        var query = DeviceUserMapping.ToQuery(request, limits.Value.MaxPageSize, out var tokenQuery);
        return DeviceUserMapping.ToProto(await deviceUsers.ListAsync(query, context.CancellationToken), tokenQuery, context.MaySeeEmails());
    }

    public override async Task<GetEffectivePermissionsResponse> GetEffectivePermissions(GetEffectivePermissionsRequest request, ServerCallContext context) =>
        ScopeMapping.ToProto(await scopes.GetEffectivePermissionsAsync(ScopeMapping.ToQuery(request), context.CancellationToken));

    private static readonly Task<PingResponse> Pong = Task.FromResult(new PingResponse());

    public override Task<PingResponse> Ping(PingRequest request, ServerCallContext context) => Pong;

    public override Task WatchRevocations(WatchRevocationsRequest request, IServerStreamWriter<RevocationEvent> responseStream, ServerCallContext context) =>
        watches.RunAsync(request, responseStream, context);

    private static async Task<CheckResponse> AnswerAsync(ValueTask<CheckResult> answer) => (await answer).ToProto();
}
