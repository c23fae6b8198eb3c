using Google.Protobuf.WellKnownTypes;
using Qbee.Authz.Service.Domain.Evaluation;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Grpc.Mapping;
using Qbee.Authz.V1;
using DecisionReason = Qbee.Authz.Service.Domain.Evaluation.DecisionReason;

namespace Qbee.Authz.Service.Grpc;

/// <summary>Records to messages, for admin answers.</summary>
internal static class ProtoMapping
{
    public static Account ToProto(this AccountRecord account) => new()
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

    public static User ToProto(this UserRecord user)
    {
        var message = new User
        {
            AccountId = user.AccountId,
            UserId = user.UserId,
            Email = user.Email,
            FirstName = user.FirstName,
            LastName = user.LastName,
            Status = user.Status == UserState.Disabled ? UserStatus.Disabled : UserStatus.Active,
        };
        message.RoleIds.AddRange(user.RoleIds);
        return message;
    }

    public static Node ToProto(this NodeRecord node)
    {
        var message = new Node
        {
            AccountId = node.AccountId,
            NodeId = node.NodeId,
            Type = node.Kind == NodeKind.Device ? NodeType.Device : NodeType.Group,
            ParentId = node.ParentId,
            Title = node.Title,
            AgentRemoteAccessDisabled = node.AgentRemoteAccessDisabled,
        };
        message.Tags.AddRange(node.Tags);
        return message;
    }

    public static AuditEvent ToProto(this AuditRecord record)
    {
        var message = new AuditEvent
        {
            EventId = record.EventId,
            Time = Timestamp.FromDateTimeOffset(record.Time),
            AccountId = record.AccountId,
            Kind = record.Kind,
            UserId = record.UserId,
            DeviceId = record.DeviceId,
            Permission = record.Permission,
            Allowed = record.Allowed,
            Reason = ReasonOf(record),
            RoleId = record.RoleId,
            Resource = record.Resource,
            Caller = record.Caller,
            RequestId = record.RequestId,
            Detail = record.Detail,
            Revision = (ulong)record.Revision,
        };
        if (record.RemoteAccess is { } remote)
        {
            message.RemoteAccess = remote.ToProto();
        }

        return message;
    }

    /// <summary>Stored as the reason's number; a number this build does not know reads as unspecified.</summary>
    private static V1.DecisionReason ReasonOf(AuditRecord record) =>
        System.Enum.IsDefined((DecisionReason)record.Reason) ? ((DecisionReason)record.Reason).ToProto() : V1.DecisionReason.Unspecified;
}
