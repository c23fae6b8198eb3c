using Qbee.Authz.Service.Domain.Resources;
using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.Domain.Evaluation;

/// <summary>
/// Who may use a permission on a node: every active user for whom <see cref="Evaluator.Check"/> on that node is
/// allowed, in user-id order. The evaluator is the one Check runs, so the two never disagree.
/// </summary>
/// <remarks>
/// A device answers exactly as Check on it. A group answers "every device under it": the evaluator on a group node
/// counts only <c>*</c> and <c>node:</c> grants at or above it (a tag grant never covers a group), and for
/// remote-access:connect the group is available only when its own effective setting is on (what a device placed
/// there inherits, its tags included) and every device under it accepts remote access: the stricter reading, since
/// a user listed for a group may not be refused on a device under it for a reason the answer did not give.
/// </remarks>
internal static class DeviceUsers
{
    /// <param name="node">A device or a group of <paramref name="snapshot"/>.</param>
    /// <param name="after">The last user id of the page before (empty: from the first).</param>
    public static DeviceUserListing List(
        AccountSnapshot snapshot, int node, Permission permission, in RemoteAccessQuery query, string after, int pageSize)
    {
        var revision = snapshot.Revision;
        var isDevice = snapshot.IsDevice(node);
        var where = isDevice ? $"device {snapshot.NodeIds[node]}" : $"every device under group {snapshot.NodeIds[node]}";
        if (permission == Permission.RemoteAccessConnect && WhyRemoteAccessIsOff(snapshot, node) is { } cause)
        {
            return new DeviceUserListing(revision, DecisionReason.RemoteAccessDisabled, $"Nobody may connect to {where}: {cause}.", [], More: false);
        }

        var message = $"The active users whose grants allow {PermissionCatalog.NameOf(permission)} on {where}.";
        var users = snapshot.UsersInOrder;
        var found = new List<DeviceUserGrant>(Math.Min(pageSize, 128));
        for (var i = after.Length == 0 ? 0 : FirstAfter(users, after); i < users.Length; i++)
        {
            var user = users[i];
            if (user.Disabled)
            {
                continue;
            }

            var decision = Evaluator.Check(snapshot, user, permission, node, deviceNamedButMissing: false, query);
            if (!decision.Allowed)
            {
                continue;
            }

            if (found.Count == pageSize)
            {
                return new DeviceUserListing(revision, DecisionReason.Granted, message, found, More: true);
            }

            found.Add(new DeviceUserGrant(user, decision));
        }

        return new DeviceUserListing(revision, DecisionReason.Granted, message, found, More: false);
    }

    /// <summary>Null when the node accepts remote access (a group: it and every device under it), else what turns it off.</summary>
    public static string? WhyRemoteAccessIsOff(AccountSnapshot snapshot, int node)
    {
        if (!snapshot.RemoteAccessEnabled(node))
        {
            return RemoteAccessCause.Of(snapshot, node);
        }

        if (snapshot.IsDevice(node))
        {
            return null;
        }

        string? first = null;
        var off = 0;
        foreach (var device in snapshot.DevicesInOrder)
        {
            if (!snapshot.RemoteAccessEnabled(device) && snapshot.AncestorsOf(device).Contains(node))
            {
                first ??= RemoteAccessCause.Of(snapshot, device);
                off++;
            }
        }

        return first is null ? null
            : off == 1 ? $"a device under it does not accept remote access ({first})"
            : $"{off} devices under it do not accept remote access (the first: {first})";
    }

    /// <summary>The position of the first user whose id sorts after <paramref name="after"/> (who may be gone).</summary>
    private static int FirstAfter(UserEntry[] users, string after)
    {
        int low = 0, high = users.Length;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (string.CompareOrdinal(users[mid].UserId, after) <= 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }
}
