using Grpc.Core;
using Qbee.Authz.Service.Caching;
using Qbee.Authz.Service.Checks;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.Grpc;

/// <summary>qbee.authz.v1.AuthorizationService: thin, every answer comes from the check engine.</summary>
internal sealed class AuthorizationGrpcService(CheckEngine checks, ScopeQueries scopes, RevocationFeed revocations) : AuthorizationService.AuthorizationServiceBase
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

    public override async Task WatchRevocations(WatchRevocationsRequest request, IServerStreamWriter<RevocationEvent> responseStream, ServerCallContext context)
    {
        Ids.RequireId(request.AccountId, "account_id");
        using var subscription = revocations.Subscribe(request.AccountId, UserResolver.ToRevision(request.AfterRevision))
            ?? throw new NotFoundException($"account {request.AccountId} not found");
        var sent = UserResolver.ToRevision(request.AfterRevision);
        foreach (var revocation in subscription.Backlog)
        {
            await responseStream.WriteAsync(revocation, context.CancellationToken);
            sent = (long)revocation.Revision;
        }

        await foreach (var revocation in subscription.Live.ReadAllAsync(context.CancellationToken))
        {
            // A live event may repeat one of the backlog: the stream never goes back in revisions.
            if ((long)revocation.Revision > sent)
            {
                await responseStream.WriteAsync(revocation, context.CancellationToken);
                sent = (long)revocation.Revision;
            }
        }
    }
}
