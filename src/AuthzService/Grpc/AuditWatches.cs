using Grpc.Core;
using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Grpc.Mapping;
using Qbee.Authz.Service.Security;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.Grpc;

/// <summary>
/// The WatchAuditEvents streams: validated, capped per caller, fed by <see cref="AuditWatchers"/> in commit order,
/// written as gRPC's flow control lets them (a slow reader only falls behind: the lag metric shows it), and ended
/// UNAVAILABLE naming the id to resume after when the service starts stopping.
/// </summary>
internal sealed class AuditWatches(AuditWatchers watchers, IAuthzStore store, IHostApplicationLifetime lifetime, ILogger<AuditWatches> logger)
{
    public async Task RunAsync(WatchAuditEventsRequest request, IServerStreamWriter<AuditEvent> responseStream, ServerCallContext context)
    {
        if (request.AccountId.Length > 0)
        {
            Ids.RequireId(request.AccountId, "account_id");
        }

        if (request.AfterEventId < 0)
        {
            throw new InvalidFieldException("after_event_id", "must be 0 (from the oldest stored) or an event id");
        }

        if (request.AccountId.Length > 0 && await store.GetAccountAsync(request.AccountId, context.CancellationToken) is null)
        {
            throw new NotFoundException($"account {request.AccountId} not found");
        }

        var caller = context.GetHttpContext().Features.Get<CallerFeature>()?.Name ?? RevocationWatches.LoopbackCaller;
        using var watcher = watchers.Enter(caller, request.AccountId);
        if (watcher is null)
        {
            GrpcLog.AuditWatchStreamsExhausted(logger, caller);
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                "too many WatchAuditEvents streams: this caller holds the most allowed (Authz:Audit:MaxWatchStreamsPerCaller); close one"));
        }

        // Headers at once: the watcher knows it holds its place before the first event comes.
        await context.WriteResponseHeadersAsync([]);
        var sent = request.AfterEventId;
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            await foreach (var record in watchers.FollowAsync(watcher, request.AfterEventId, ending.Token))
            {
                await responseStream.WriteAsync(record.ToProto(), ending.Token);
                sent = record.EventId;
            }
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            GrpcLog.AuditWatchEndedAtShutdown(logger, caller, sent);
            throw new RpcException(new Status(StatusCode.Unavailable, $"the service is stopping; resume with after_event_id {sent}"));
        }
        catch (PreconditionFailedException e)
        {
            GrpcLog.AuditWatchPurgedPast(logger, caller, sent);
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
    }
}
