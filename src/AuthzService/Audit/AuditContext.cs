namespace Qbee.Authz.Service.Audit;

/// <summary>
/// Who asked, for the audit trail: the caller's name (from its token) and the x-request-id header; for an admin
/// write also what was asked (<paramref name="Detail"/>: the request as JSON).
/// </summary>
internal readonly record struct AuditContext(string Caller, string RequestId, string Detail = "");
