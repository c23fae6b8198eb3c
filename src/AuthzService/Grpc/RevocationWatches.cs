using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Grpc.Mapping;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Security;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.Grpc;

/// <summary>
/// The WatchRevocations streams of this replica, each bounded: at most <see cref="LimitsOptions.WatchBufferEvents"/>
/// revocations wait for a reader (a slower one is ended with RESOURCE_EXHAUSTED naming the revision to resume from),
/// at most <see cref="LimitsOptions.MaxWatchStreamsPerCaller"/> streams per caller, and every stream ends when the
/// service starts stopping, so an open watch never holds up shutdown and the audit drain. A watch resuming from before
/// this replica's history is replayed from the change log first (all_users only past the log's retention). With accounts
/// on demand a watch loads the account it names and holds it (never evicted) while open.
/// </summary>
internal sealed class RevocationWatches(
    RevocationFeed feed,
    AccountLoader loader,
    RevocationLogReplay logReplay,
    IOptions<LimitsOptions> limits,
    IHostApplicationLifetime lifetime,
    ILogger<RevocationWatches> logger)
{
    /// <summary>The caller of every call when no callers are configured (then every call comes over loopback).</summary>
    public const string LoopbackCaller = "(loopback)";

    /// <summary>The response header that tells a watcher it is subscribed; the client library waits for it.</summary>
    public const string SubscribedAfterHeader = "qbee-subscribed-after";

    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>The streams a caller holds open now.</summary>
    public int OpenStreams(string caller)
    {
        lock (_open)
        {
            return _open.GetValueOrDefault(caller);
        }
    }

    public async Task RunAsync(WatchRevocationsRequest request, IServerStreamWriter<RevocationEvent> responseStream, ServerCallContext context)
    {
        Ids.RequireId(request.AccountId, "account_id");
        var settings = limits.Value;
        var caller = context.GetHttpContext().Features.Get<CallerFeature>()?.Name ?? LoopbackCaller;
        using var slot = Enter(caller, settings.MaxWatchStreamsPerCaller);
        if (slot is null)
        {
            GrpcLog.WatchStreamsExhausted(logger, request.AccountId, caller, settings.MaxWatchStreamsPerCaller);
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"too many WatchRevocations streams: this caller holds {settings.MaxWatchStreamsPerCaller}, the most allowed; close one or watch from another replica"));
        }

        // The account is held while watched (loaded when cold, never evicted meanwhile): its revocations come from its swaps.
        using var hold = loader.OnDemand
            ? await loader.HoldAsync(request.AccountId, context.CancellationToken) ?? throw new NotFoundException($"account {request.AccountId} not found")
            : null;
        using var subscription = feed.Subscribe(request.AccountId, RevisionMapping.ToRevision(request.AfterRevision), settings.WatchBufferEvents)
            ?? throw new NotFoundException($"account {request.AccountId} not found");
        var sent = subscription.After;
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            // Resuming from before this replica's history: the change log tells what was missed. Read before the
            // headers, so a store that cannot answer refuses the watch instead of leaving a hole in it.
            var backlog = subscription.Backlog;
            if (subscription.ReplayUpTo is { } upTo)
            {
                var replay = await logReplay.ReadAsync(subscription.After, upTo, ending.Token);
                if (!replay.Covered)
                {
                    GrpcLog.WatchReplayNotCovered(logger, request.AccountId, caller, subscription.After);
                }

                backlog = replay.Events;
            }

            // Headers at once: the watcher knows it is subscribed (and after which revision) before the first
            // revocation comes. A refusal never carries this header, so a client can tell the two apart.
            await context.WriteResponseHeadersAsync(new Metadata { { SubscribedAfterHeader, sent.ToString(CultureInfo.InvariantCulture) } });
            foreach (var revocation in backlog)
            {
                await responseStream.WriteAsync(revocation.ToProto(), ending.Token);
                sent = revocation.Revision;
            }

            await foreach (var revocation in subscription.Live.ReadAllAsync(ending.Token))
            {
                // Stop at once: what is still buffered is replayed when the watcher resumes from the last revision sent.
                if (subscription.Overflowed)
                {
                    break;
                }

                // A live event may repeat one of the backlog: the stream never goes back in revisions.
                if (revocation.Revision > sent)
                {
                    await responseStream.WriteAsync(revocation.ToProto(), ending.Token);
                    sent = revocation.Revision;
                }
            }
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            GrpcLog.WatchEndedAtShutdown(logger, request.AccountId, caller, sent);
            throw new RpcException(new Status(StatusCode.Unavailable, $"the service is stopping; resume with after_revision {sent}"));
        }

        // The live events end only when the subscription overflowed (or on cancellation, which throws above).
        GrpcLog.WatchTooSlow(logger, request.AccountId, caller, settings.WatchBufferEvents, sent);
        throw new RpcException(new Status(StatusCode.ResourceExhausted,
            $"the watcher read too slowly: more than {settings.WatchBufferEvents} revocations waited; resume with after_revision {sent}"));
    }

    private Slot? Enter(string caller, int limit)
    {
        lock (_open)
        {
            var open = _open.GetValueOrDefault(caller);
            if (open >= limit)
            {
                return null;
            }

            _open[caller] = open + 1;
        }

        return new Slot(this, caller);
    }

    private void Leave(string caller)
    {
        lock (_open)
        {
            var open = _open[caller] - 1;
            if (open == 0)
            {
                _open.Remove(caller);
            }
            else
            {
                _open[caller] = open;
            }
        }
    }

    private sealed class Slot(RevocationWatches watches, string caller) : IDisposable
    {
        public void Dispose() => watches.Leave(caller);
    }
}
