using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.Grpc.Mapping;

/// <summary>Accounts and roles, records to messages.</summary>
internal static class AccountMapping
{
    public static Account ToProto(this Domain.Model.AccountRecord account) => new()
    {
        AccountId = account.AccountId,
        Name = account.Name,
        Revision = (ulong)account.Revision,
    };

    public static Role ToProto(this RoleRecord role)
    {
        var message = new Role { AccountId = role.AccountId, RoleId = role.RoleId, Name = role.Name, Description = role.Description };
        foreach (var policy in role.Policies)
        {
            var p = new Policy { Permission = policy.Permission };
            p.Resources.AddRange(policy.Resources);
            message.Policies.Add(p);
        }

        return message;
    }
}
