using System.Runtime.CompilerServices;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Qbee.Authz.Client.Caching;
using Qbee.Authz.Client.Consistency;
using Qbee.Authz.V1;

namespace Qbee.Authz.Client;

/// <summary>Wraps the generated client: deadlines, read-your-writes and the decision cache; retries are the channel's.</summary>
internal sealed class GrpcAuthzClient(
    AuthorizationService.AuthorizationServiceClient client,
    IOptions<AuthzClientOptions> options,
    RevisionTracker tracker,
    DecisionCache cache,
    RevocationStream revocations) : IAuthzClient
{
    private readonly AuthzClientOptions _options = options.Value;

    public Task<Decision> CheckAsync(string userId, string permission, string? deviceId = null, RemoteAccessRequest? remoteAccess = null, CancellationToken cancellationToken = default) =>
        CheckAsync(new CheckQuery(userId, permission, deviceId, remoteAccess), cancellationToken);

    public async Task<Decision> CheckAsync(CheckQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var minRevision = MinRevision(query.UserId, query.MinRevision);
        var cacheable = cache.Enabled && !query.Explain;
        var key = cacheable ? DecisionCache.KeyOf(query) : null;
        if (key is not null && cache.TryGet(key, minRevision, out var cached))
        {
            return cached;
        }

        var response = await client.CheckAsync(query.ToRequest(minRevision), Call(cancellationToken)).ConfigureAwait(false);
        var decision = response.ToDecision();
        tracker.ObserveUser(query.UserId, decision.Revision);
        if (key is not null)
        {
            cache.Add(key, decision);
        }

        return decision;
    }

    public async Task<IReadOnlyList<Decision>> CheckManyAsync(IReadOnlyList<CheckQuery> queries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        var request = new CheckBatchRequest();
        foreach (var query in queries)
        {
            request.Checks.Add(query.ToRequest(MinRevision(query.UserId, query.MinRevision)));
        }

        var response = await client.CheckBatchAsync(request, Call(cancellationToken)).ConfigureAwait(false);
        var decisions = new Decision[response.Results.Count];
        for (var i = 0; i < decisions.Length; i++)
        {
            decisions[i] = response.Results[i].ToDecision();
            if (i < queries.Count)
            {
                tracker.ObserveUser(queries[i].UserId, decisions[i].Revision);
            }
        }

        return decisions;
    }

    public async Task<Decision> CheckApiCallAsync(string userId, string method, string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var response = await client.CheckApiCallAsync(
            new CheckApiCallRequest { UserId = userId, Method = method, Path = path, MinRevision = MinRevision(userId, 0) },
            Call(cancellationToken)).ConfigureAwait(false);
        tracker.ObserveUser(userId, response.Revision);
        return response.ToDecision();
    }

    public async Task<Scope> ResolveScopeAsync(string userId, string permission, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var response = await client.ResolveScopeAsync(
            new ResolveScopeRequest { UserId = userId, Permission = permission, MinRevision = MinRevision(userId, 0) },
            Call(cancellationToken)).ConfigureAwait(false);
        tracker.ObserveUser(userId, response.Revision);
        return new Scope(response.Granted, response.Unrestricted, response.Tags.ToArray(), response.NodeIds.ToArray(), response.Revision, response.Reason);
    }

    public async IAsyncEnumerable<string> ListAllowedDevicesAsync(string userId, string permission, RemoteAccessRequest? remoteAccess = null, int pageSize = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var request = new ListAllowedDevicesRequest
        {
            UserId = userId,
            Permission = permission,
            RemoteAccess = remoteAccess?.ToProto(),
            PageSize = pageSize,
            MinRevision = MinRevision(userId, 0),
        };
        while (true)
        {
            var page = await client.ListAllowedDevicesAsync(request, Call(cancellationToken)).ConfigureAwait(false);
            tracker.ObserveUser(userId, page.Revision);
            foreach (var deviceId in page.DeviceIds)
            {
                yield return deviceId;
            }

            if (page.NextPageToken.Length == 0)
            {
                yield break;
            }

            // Later pages must not come from an older snapshot than the first (another replica behind this one).
            request.PageToken = page.NextPageToken;
            request.MinRevision = Math.Max(request.MinRevision, page.Revision);
        }
    }

    public async Task<EffectivePermissions> GetEffectivePermissionsAsync(string userId, string? deviceId = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var response = await client.GetEffectivePermissionsAsync(
            new GetEffectivePermissionsRequest { UserId = userId, DeviceId = deviceId ?? string.Empty, MinRevision = MinRevision(userId, 0) },
            Call(cancellationToken)).ConfigureAwait(false);
        tracker.ObserveUser(userId, response.Revision);
        return new EffectivePermissions(response.Permissions.ToArray(), response.UiElements.ToArray(), response.Revision);
    }

    public IAsyncEnumerable<Revocation> WatchRevocationsAsync(string accountId, ulong afterRevision = 0, CancellationToken cancellationToken = default) =>
        revocations.WatchAsync(accountId, afterRevision, cancellationToken);

    public void RememberUserAccount(string userId, string accountId)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        tracker.MapUser(userId, accountId);
    }

    private ulong MinRevision(string userId, ulong requested) =>
        Math.Max(requested, _options.ReadYourWrites ? tracker.RevisionOfUser(userId) : 0);

    private CallOptions Call(CancellationToken cancellationToken) =>
        new(deadline: DateTime.UtcNow + _options.Deadline, cancellationToken: cancellationToken);
}
