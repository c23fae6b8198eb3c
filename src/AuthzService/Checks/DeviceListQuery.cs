using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Resources;

namespace Qbee.Authz.Service.Checks;

/// <summary>A page of ListAllowedDevices: the devices after <paramref name="After"/> (empty: from the first) in id order.</summary>
internal readonly record struct DeviceListQuery(
    string UserId, Permission Permission, RemoteAccessQuery RemoteAccess, int PageSize, string After, long MinRevision);
