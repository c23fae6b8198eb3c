using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Evaluation;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Snapshots;

namespace Qbee.Authz.Service.Checks;

/// <summary>
/// ListDeviceUsers: finds the node's account snapshot (a device alone: the registry's device lookup), waits for
/// min_revision, and lists from that one snapshot with <see cref="DeviceUsers"/>. Unknown accounts, devices and
/// nodes, and a device of another account than the one named, are NOT_FOUND alike: the answer never tells that a
/// device exists elsewhere.
/// </summary>
internal sealed class DeviceUserQueries(SnapshotRegistry registry, Readiness readiness, AccountLoader? loader = null)
{
    public async Task<DeviceUserListing> ListAsync(DeviceUserQuery query, CancellationToken cancellationToken)
    {
        if (!readiness.IsReady)
        {
            throw new UnavailableException("the service is starting: snapshots are not loaded yet");
        }

        var nodeId = query.DeviceId.Length > 0 ? query.DeviceId : query.NodeId;
        AccountSnapshot? snapshot;
        if (query.AccountId.Length > 0)
        {
            snapshot = loader is { OnDemand: true } ? await loader.GetAsync(query.AccountId, cancellationToken) : registry.Get(query.AccountId);
            if (snapshot is null && query.MinRevision == 0)
            {
                throw new NotFoundException($"account {query.AccountId} not found");
            }
        }
        else
        {
            // A device this replica does not know yet (created by a write it has not received) cannot be waited for
            // without its account: the caller names account_id for that (README).
            snapshot = registry.TryFindDevice(query.DeviceId, out var found, out _) ? found : throw NodeNotFound(query, nodeId);
        }

        if (snapshot is null || snapshot.Revision < query.MinRevision)
        {
            snapshot = await registry.WaitForRevisionAsync(snapshot?.AccountId ?? query.AccountId, query.MinRevision, cancellationToken);
        }

        if (!snapshot.TryGetNode(nodeId, out var node) || (query.DeviceId.Length > 0 && !snapshot.IsDevice(node)))
        {
            throw NodeNotFound(query, nodeId);
        }

        return DeviceUsers.List(snapshot, node, query.Permission, query.RemoteAccess, query.After, query.PageSize);
    }

    private static NotFoundException NodeNotFound(DeviceUserQuery query, string nodeId) =>
        new(query.DeviceId.Length > 0
            ? query.AccountId.Length > 0 ? $"device {nodeId} not found in account {query.AccountId}" : $"device {nodeId} not found"
            : $"node {nodeId} not found in account {query.AccountId}");
}
