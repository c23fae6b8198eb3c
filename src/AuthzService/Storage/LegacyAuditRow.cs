using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Storage;

/// <summary>
/// A row of schema version 1's <c>audit_events</c> table (one row per event), read once to move it into a segment.
/// The remote-access columns are all NULL when the event has no remote-access request.
/// </summary>
internal sealed class LegacyAuditRow
{
    public long EventId { get; set; }
    public long Time { get; set; }
    public string AccountId { get; set; } = "";
    public string Kind { get; set; } = "";
    public string UserId { get; set; } = "";
    public string DeviceId { get; set; } = "";
    public string Permission { get; set; } = "";
    public long? RaAction { get; set; }
    public string? RaProto { get; set; }
    public long? RaPort { get; set; }
    public string? RaDst { get; set; }
    public string? RaDirection { get; set; }
    public string? RaPath { get; set; }
    public bool Allowed { get; set; }
    public long Reason { get; set; }
    public string RoleId { get; set; } = "";
    public string Resource { get; set; } = "";
    public string Caller { get; set; } = "";
    public string RequestId { get; set; } = "";
    public string Detail { get; set; } = "";
    public long Revision { get; set; }

    public AuditRecord ToRecord()
    {
        var remoteAccess = RaAction is { } action
            ? new RemoteAccessRequest((RemoteAction)action, RaProto ?? "", (int)(RaPort ?? 0), RaDst ?? "", RaDirection ?? "", RaPath ?? "")
            : null;
        return new AuditRecord(
            EventId,
            DateTimeOffset.FromUnixTimeMilliseconds(Time),
            AccountId,
            Kind,
            UserId,
            DeviceId,
            Permission,
            remoteAccess,
            Allowed,
            (int)Reason,
            RoleId,
            Resource,
            Caller,
            RequestId,
            Detail,
            Revision);
    }
}
