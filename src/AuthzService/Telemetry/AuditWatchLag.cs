namespace Qbee.Authz.Service.Telemetry;

/// <summary>How far behind one WatchAuditEvents stream is: the age, in seconds, of the oldest event it has read and not sent.</summary>
internal readonly record struct AuditWatchLag(string Caller, string AccountId, double Seconds);
