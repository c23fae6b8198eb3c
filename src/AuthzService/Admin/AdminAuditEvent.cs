using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Admin;

/// <summary>The audit event every admin write records in its transaction (the import's too).</summary>
internal static class AdminAuditEvent
{
    /// <summary>The event of an admin write: what was asked is the context's <see cref="AuditContext.Detail"/>.</summary>
    public static AuditRecord Of(DateTimeOffset time, string accountId, string kind, AuditContext context, string userId = "", string deviceId = "") =>
        new(
            EventId: 0,
            Time: time,
            AccountId: accountId,
            Kind: kind,
            UserId: userId,
            DeviceId: deviceId,
            Permission: string.Empty,
            RemoteAccess: null,
            Allowed: true,
            Reason: 0,
            RoleId: string.Empty,
            Resource: string.Empty,
            Caller: context.Caller,
            RequestId: context.RequestId,
            Detail: context.Detail,
            Revision: 0);
}
