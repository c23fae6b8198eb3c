using Google.Protobuf.WellKnownTypes;
using Qbee.Authz.Service.Domain.Evaluation;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.V1;
using DecisionReason = Qbee.Authz.Service.Domain.Evaluation.DecisionReason;

namespace Qbee.Authz.Service.Grpc.Mapping;

/// <summary>Audit records to ListAuditEvents' events.</summary>
internal static class AuditMapping
{
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
