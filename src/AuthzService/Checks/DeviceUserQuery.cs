using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Resources;

namespace Qbee.Authz.Service.Checks;

/// <summary>
/// A page of ListDeviceUsers, validated: a device (<paramref name="AccountId"/> optional) or a node of
/// <paramref name="AccountId"/>; the users after <paramref name="After"/> (empty: from the first) in id order.
/// </summary>
internal readonly record struct DeviceUserQuery(
    string AccountId, string DeviceId, string NodeId, Permission Permission, RemoteAccessQuery RemoteAccess, int PageSize, string After, long MinRevision);
