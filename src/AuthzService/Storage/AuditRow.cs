using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Storage;

/// <summary>
/// An <c>audit_events</c> row, both as insert parameters and as query result. The remote-access columns are all
/// NULL when the event has no remote-access request.
/// </summary>
internal sealed class AuditRow
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

    public static AuditRow From(AuditRecord audit, string accountId, long revision)
    {
        var ra = audit.RemoteAccess;
        return new AuditRow
        {
            Time = audit.Time.ToUnixTimeMilliseconds(),
            AccountId = accountId,
            Kind = audit.Kind ?? "",
            UserId = audit.UserId ?? "",
            DeviceId = audit.DeviceId ?? "",
            Permission = audit.Permission ?? "",
            RaAction = ra is null ? null : (long)ra.Action,
            RaProto = ra is null ? null : ra.Proto ?? "",
            RaPort = ra?.Port,
            RaDst = ra is null ? null : ra.Dst ?? "",
            RaDirection = ra is null ? null : ra.Direction ?? "",
            RaPath = ra is null ? null : ra.Path ?? "",
            Allowed = audit.Allowed,
            Reason = audit.Reason,
            RoleId = audit.RoleId ?? "",
            Resource = audit.Resource ?? "",
            Caller = audit.Caller ?? "",
            RequestId = audit.RequestId ?? "",
            Detail = audit.Detail ?? "",
            Revision = revision,
        };
    }

    /// <summary>
    /// Gives <paramref name="command"/> one parameter per column of the insert and returns what sets their values
    /// from a row. Not <c>Prepare()</c>d: SQLite keeps the compiled statement with the command anyway, and SQL
    /// Server's Prepare would demand a size for every text parameter.
    /// </summary>
    public static Action<AuditRow> BindTo(System.Data.Common.DbCommand command)
    {
        var slots = new System.Data.Common.DbParameter[Columns.Length];
        for (var i = 0; i < slots.Length; i++)
        {
            slots[i] = command.CreateParameter();
            slots[i].ParameterName = "@" + Columns[i];
            command.Parameters.Add(slots[i]);
        }

        return row =>
        {
            var values = row.Values();
            for (var i = 0; i < slots.Length; i++)
            {
                slots[i].Value = values[i] ?? DBNull.Value;
            }
        };
    }

    /// <summary>The insert's parameters, in the order of <see cref="Values"/>.</summary>
    private static readonly string[] Columns =
    [
        nameof(Time), nameof(AccountId), nameof(Kind), nameof(UserId), nameof(DeviceId), nameof(Permission),
        nameof(RaAction), nameof(RaProto), nameof(RaPort), nameof(RaDst), nameof(RaDirection), nameof(RaPath),
        nameof(Allowed), nameof(Reason), nameof(RoleId), nameof(Resource), nameof(Caller), nameof(RequestId),
        nameof(Detail), nameof(Revision),
    ];

    private object?[] Values() =>
    [
        Time, AccountId, Kind, UserId, DeviceId, Permission,
        RaAction, RaProto, RaPort, RaDst, RaDirection, RaPath,
        Allowed, Reason, RoleId, Resource, Caller, RequestId,
        Detail, Revision,
    ];

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
