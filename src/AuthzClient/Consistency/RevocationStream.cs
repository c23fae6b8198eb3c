using System.Globalization;
using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Qbee.Authz.V1;

namespace Qbee.Authz.Client.Consistency;

/// <summary>
/// One account's revocations as an endless sequence: reconnects when the stream breaks or is refused, whatever the
/// status, with an exponential back-off and jitter, and resumes after the last revision yielded. A refusal is never
/// final: NOT_FOUND may be an account this replica has not loaded yet, UNAUTHENTICATED a token being rotated, and a
/// watch that gave up would leave its users' sessions and cached answers unwatched.
/// </summary>
internal sealed class RevocationStream(
    GrpcClientFactory clients,
    IOptions<AuthzClientOptions> options,
    RevisionTracker tracker,
    TimeProvider time,
    ILogger<RevocationStream> logger)
{
    // Statuses that a configuration change (a token, a caller's scope, an account) has to fix: logged as errors.
    private static readonly HashSet<StatusCode> Refusals =
    [
        StatusCode.InvalidArgument, StatusCode.NotFound, StatusCode.PermissionDenied, StatusCode.Unauthenticated,
        StatusCode.FailedPrecondition, StatusCode.OutOfRange, StatusCode.Unimplemented,
    ];

    public IAsyncEnumerable<Revocation> WatchAsync(string accountId, ulong afterRevision, CancellationToken cancellationToken) =>
        WatchAsync(accountId, afterRevision, connected: null, cancellationToken);

    /// <param name="accountId">The account.</param>
    /// <param name="afterRevision">Start after this revision.</param>
    /// <param name="connected">
    /// Told the revision the stream now resumes after when the service has taken the subscription, null when the
    /// stream is lost.
    /// </param>
    /// <param name="cancellationToken">Stops watching.</param>
    public async IAsyncEnumerable<Revocation> WatchAsync(string accountId, ulong afterRevision, Action<ulong?>? connected, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        var settings = options.Value;
        var last = afterRevision;
        var backoff = settings.WatchInitialBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            var client = clients.CreateClient<AuthorizationService.AuthorizationServiceClient>(AuthzClientServiceCollectionExtensions.AuthorizationClientName);
            ClientLog.WatchConnecting(logger, accountId, last);
            Status failure;
            long connectedAt = 0;
            using (var call = client.WatchRevocations(new WatchRevocationsRequest { AccountId = accountId, AfterRevision = last }, cancellationToken: cancellationToken))
            {
                while (true)
                {
                    RevocationEvent? next;
                    try
                    {
                        // The service says when it has subscribed, and after which revision (the current one when
                        // asked for 0): from then on nothing is missed, and a reconnection resumes from there.
                        if (connectedAt == 0 && await SubscribedAfterAsync(call).ConfigureAwait(false) is { } after)
                        {
                            last = Math.Max(last, after);
                            connectedAt = time.GetTimestamp();
                            connected?.Invoke(last);
                        }

                        next = await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false) ? call.ResponseStream.Current : null;
                    }
                    catch (Exception e) when (cancellationToken.IsCancellationRequested && e is RpcException or OperationCanceledException)
                    {
                        connected?.Invoke(null);
                        yield break;
                    }
                    catch (RpcException e)
                    {
                        failure = e.Status;
                        break;
                    }

                    if (next is null)
                    {
                        failure = new Status(StatusCode.OK, "the service ended the stream");
                        break;
                    }

                    if (next.Revision <= last)
                    {
                        continue;
                    }

                    last = next.Revision;
                    backoff = settings.WatchInitialBackoff;
                    var revocation = new Revocation(next.AccountId.Length > 0 ? next.AccountId : accountId, next.Revision, next.UserIds.ToArray(), next.AllUsers);
                    tracker.Observe(revocation.AccountId, revocation.Revision);
                    yield return revocation;
                }
            }

            connected?.Invoke(null);
            // A connection that held for longer than the back-off was not a tight loop of failures: start over.
            if (connectedAt != 0 && time.GetElapsedTime(connectedAt) >= backoff)
            {
                backoff = settings.WatchInitialBackoff;
            }

            var delay = Jittered(backoff);
            if (Refusals.Contains(failure.StatusCode))
            {
                ClientLog.WatchRefused(logger, accountId, failure.StatusCode, failure.Detail, last, delay.TotalMilliseconds);
            }
            else
            {
                ClientLog.WatchBroken(logger, accountId, failure.StatusCode, failure.Detail, last, delay.TotalMilliseconds);
            }

            try
            {
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, settings.WatchMaxBackoff.Ticks));
        }
    }

    // Only a subscription sends this header: a refusal may come with headers of its own before its status.
    private static async Task<ulong?> SubscribedAfterAsync(AsyncServerStreamingCall<RevocationEvent> call) =>
        ulong.TryParse((await call.ResponseHeadersAsync.ConfigureAwait(false)).GetValue(WatchHeaders.SubscribedAfter), NumberStyles.None, CultureInfo.InvariantCulture, out var after)
            ? after
            : null;

    // Between half the back-off and all of it, so watchers that broke together do not come back together.
    private static TimeSpan Jittered(TimeSpan backoff) => backoff * (0.5 + (Random.Shared.NextDouble() / 2));
}
