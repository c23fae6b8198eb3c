namespace Qbee.Authz.Service.Admin;

/// <summary>Who asked, for the audit trail: the caller's name (from its token) and the x-request-id header.</summary>
internal readonly record struct AuditContext(string Caller, string RequestId);
