using Grpc.Core;
using Qbee.Authz.Service.Checks;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.Grpc;

/// <summary>qbee.authz.v1.AuthorizationService: thin, every answer comes from the check engine.</summary>
internal sealed class AuthorizationGrpcService(CheckEngine checks, ScopeQueries scopes, RevocationWatches watches) : AuthorizationService.AuthorizationServiceBase
{
    public override Task<CheckResponse> Check(CheckRequest request, ServerCallContext context)
    {
        var answer = checks.CheckAsync(request, context, context.CancellationToken);
        return answer.IsCompletedSuccessfully ? Task.FromResult(answer.Result) : answer.AsTask();
    }

    public override Task<CheckBatchResponse> CheckBatch(CheckBatchRequest request, ServerCallContext context) =>
        checks.CheckBatchAsync(request, context.ToAuditContext(), context.Deadline, context.CancellationToken);

    public override Task<CheckResponse> CheckApiCall(CheckApiCallRequest request, ServerCallContext context) =>
        checks.CheckApiCallAsync(request, context.CancellationToken);

    public override Task<ResolveScopeResponse> ResolveScope(ResolveScopeRequest request, ServerCallContext context) =>
        scopes.ResolveScopeAsync(request, context.CancellationToken);

    public override Task<ListAllowedDevicesResponse> ListAllowedDevices(ListAllowedDevicesRequest request, ServerCallContext context) =>
        scopes.ListAllowedDevicesAsync(request, context.CancellationToken);

    public override Task<GetEffectivePermissionsResponse> GetEffectivePermissions(GetEffectivePermissionsRequest request, ServerCallContext context) =>
        scopes.GetEffectivePermissionsAsync(request, context.CancellationToken);

    private static readonly Task<PingResponse> Pong = Task.FromResult(new PingResponse());

    public override Task<PingResponse> Ping(PingRequest request, ServerCallContext context) => Pong;

    public override Task WatchRevocations(WatchRevocationsRequest request, IServerStreamWriter<RevocationEvent> responseStream, ServerCallContext context) =>
        watches.RunAsync(request, responseStream, context);
}
