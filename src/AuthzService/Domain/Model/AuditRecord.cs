namespace Qbee.Authz.Service.Domain.Model;

/// <summary>
/// One audit event: an admin change (Kind "admin.&lt;method&gt;") or a remote-access decision
/// (Kind "remote_access.check"). <paramref name="EventId"/> is 0 until the store assigns it.
/// </summary>
internal sealed record AuditRecord(
    long EventId,
    DateTimeOffset Time,
    string AccountId,
    string Kind,
    string UserId,
    string DeviceId,
    string Permission,
    RemoteAccessRequest? RemoteAccess,
    bool Allowed,
    int Reason,
    string RoleId,
    string Resource,
    string Caller,
    string RequestId,
    string Detail,
    long Revision);

/// <summary>The remote-access part of a check: an action and its parameters (empty/0 when not given).</summary>
internal sealed record RemoteAccessRequest(
    RemoteAction Action,
    string Proto,
    int Port,
    string Dst,
    string Direction,
    string Path);
