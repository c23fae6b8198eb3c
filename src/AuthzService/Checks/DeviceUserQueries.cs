using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Evaluation;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.Checks;

/// <summary>
/// ListDeviceUsers: finds the node's account snapshot (a device alone: the registry's device lookup; on demand, a
/// device of no account held: the store names its account), waits for min_revision, and lists from that one snapshot
/// with <see cref="DeviceUsers"/>. An account not held, or behind, is held (loaded when cold, never evicted) while it
/// is waited for. Unknown accounts, devices and nodes, and a device of another account than the one named, are
/// NOT_FOUND alike: the answer never tells that a device exists elsewhere.
/// </summary>
internal sealed class DeviceUserQueries(SnapshotRegistry registry, Readiness readiness, IAuthzStore store, AccountLoader loader)
{
    public async Task<DeviceUserListing> ListAsync(DeviceUserQuery query, CancellationToken cancellationToken)
    {
        if (!readiness.IsReady)
        {
            throw new UnavailableException("the service is starting: snapshots are not loaded yet");
        }

        var nodeId = query.DeviceId.Length > 0 ? query.DeviceId : query.NodeId;
        AccountSnapshot? snapshot;
        string accountId;
        if (query.AccountId.Length > 0)
        {
            accountId = query.AccountId;
            snapshot = registry.Get(accountId);
        }
        else if (registry.TryFindDevice(query.DeviceId, out var found, out _))
        {
            accountId = found.AccountId;
            snapshot = found;
        }
        else if (loader.OnDemand || query.MinRevision > 0)
        {
            // A device of no account held: of a cold account (on demand), or created by a write this replica has not
            // received yet (at a revision). The store places it; paid only on a miss.
            accountId = await FindDeviceAccountInStoreAsync(query.DeviceId, cancellationToken) ?? throw NodeNotFound(query, nodeId);
            snapshot = null;
        }
        else
        {
            throw NodeNotFound(query, nodeId); // every account is held, and no revision asked for: nowhere
        }

        if (snapshot is null || snapshot.Revision < query.MinRevision)
        {
            if (snapshot is null && !loader.OnDemand && query.MinRevision == 0)
            {
                throw AccountNotFound(query, nodeId);
            }

            // Held while it loads and while it is waited for: an eviction in between would leave nothing to wait on.
            using var hold = await loader.HoldAsync(accountId, cancellationToken) ?? throw AccountNotFound(query, nodeId);
            snapshot = hold.Current is { } current && current.Revision >= query.MinRevision
                ? current
                : await registry.WaitForRevisionAsync(accountId, query.MinRevision, cancellationToken);
        }

        if (!snapshot.TryGetNode(nodeId, out var node) || (query.DeviceId.Length > 0 && !snapshot.IsDevice(node)))
        {
            throw NodeNotFound(query, nodeId);
        }

        return DeviceUsers.List(snapshot, node, query.Permission, query.RemoteAccess, query.After, query.PageSize);
    }

    private async Task<string?> FindDeviceAccountInStoreAsync(string deviceId, CancellationToken cancellationToken)
    {
        try
        {
            return await store.FindDeviceAccountIdAsync(deviceId, cancellationToken);
        }
        catch (Exception e) when (StoreFaults.IsStoreFailure(e))
        {
            throw new UnavailableException($"device {deviceId} is in no account held on this replica and the store cannot be asked for its account; retry");
        }
    }

    // The account named is unknown; an account the store named for a device alone is gone meanwhile: the device is.
    private static NotFoundException AccountNotFound(DeviceUserQuery query, string nodeId) =>
        query.AccountId.Length > 0 ? new($"account {query.AccountId} not found") : NodeNotFound(query, nodeId);

    private static NotFoundException NodeNotFound(DeviceUserQuery query, string nodeId) =>
        new(query.DeviceId.Length > 0
            ? query.AccountId.Length > 0 ? $"device {nodeId} not found in account {query.AccountId}" : $"device {nodeId} not found"
            : $"node {nodeId} not found in account {query.AccountId}");
}
