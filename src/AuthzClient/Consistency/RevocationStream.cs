using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Qbee.Authz.V1;

namespace Qbee.Authz.Client.Consistency;

/// <summary>
/// One account's revocations as an endless sequence: reconnects with an exponential back-off when the stream breaks
/// and resumes after the last revision yielded. Statuses that a retry cannot fix (a bad account id, a refused token)
/// end it with the exception.
/// </summary>
internal sealed class RevocationStream(
    GrpcClientFactory clients,
    IOptions<AuthzClientOptions> options,
    RevisionTracker tracker,
    TimeProvider time,
    ILogger<RevocationStream> logger)
{
    private static readonly HashSet<StatusCode> Fatal =
    [
        StatusCode.InvalidArgument, StatusCode.NotFound, StatusCode.PermissionDenied, StatusCode.Unauthenticated,
        StatusCode.FailedPrecondition, StatusCode.OutOfRange,
    ];

    public async IAsyncEnumerable<Revocation> WatchAsync(string accountId, ulong afterRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
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
            using (var call = client.WatchRevocations(new WatchRevocationsRequest { AccountId = accountId, AfterRevision = last }, cancellationToken: cancellationToken))
            {
                while (true)
                {
                    RevocationEvent? next;
                    try
                    {
                        next = await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false) ? call.ResponseStream.Current : null;
                    }
                    catch (RpcException e) when (!cancellationToken.IsCancellationRequested && !Fatal.Contains(e.StatusCode))
                    {
                        failure = e.Status;
                        break;
                    }
                    catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
                    {
                        ClientLog.WatchStopped(logger, e, accountId, e.StatusCode);
                        throw;
                    }
                    catch (Exception e) when (cancellationToken.IsCancellationRequested && e is RpcException or OperationCanceledException)
                    {
                        yield break;
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

            ClientLog.WatchBroken(logger, accountId, failure.StatusCode, failure.Detail, last, backoff.TotalMilliseconds);
            try
            {
                await Task.Delay(backoff, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, settings.WatchMaxBackoff.Ticks));
        }
    }
}
