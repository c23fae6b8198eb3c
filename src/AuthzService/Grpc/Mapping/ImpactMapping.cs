using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.Grpc.Mapping;

/// <summary>A dry run's impact, domain to contract (null: a real write, whose answer has none).</summary>
internal static class ImpactMapping
{
    public static Impact? ToProto(this WriteImpact? impact, long revision)
    {
        if (impact is null)
        {
            return null;
        }

        var message = new Impact { Revision = (ulong)revision, Truncated = impact.Truncated, UsersTotal = impact.UsersTotal };
        foreach (var user in impact.Users)
        {
            var u = new UserImpact
            {
                UserId = user.UserId,
                DevicesGained = user.DevicesGained,
                DevicesLost = user.DevicesLost,
                SessionsRevoked = user.SessionsRevoked,
            };
            u.PermissionsGained.AddRange(user.PermissionsGained.Select(PermissionCatalog.NameOf));
            u.PermissionsLost.AddRange(user.PermissionsLost.Select(PermissionCatalog.NameOf));
            foreach (var permission in user.Permissions)
            {
                var p = new PermissionImpact
                {
                    Permission = PermissionCatalog.NameOf(permission.Permission),
                    HeldBefore = permission.HeldBefore,
                    HeldAfter = permission.HeldAfter,
                    DevicesGained = permission.DevicesGained,
                    DevicesLost = permission.DevicesLost,
                };
                p.DeviceIdsGained.AddRange(permission.DeviceIdsGained);
                p.DeviceIdsLost.AddRange(permission.DeviceIdsLost);
                u.Permissions.Add(p);
            }

            message.Users.Add(u);
        }

        return message;
    }
}
