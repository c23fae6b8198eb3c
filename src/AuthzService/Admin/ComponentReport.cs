namespace Qbee.Authz.Service.Admin;

/// <summary>One dependency's state ("ok", "degraded", "down", "disabled", "unavailable", "stale") and why.</summary>
internal sealed record ComponentReport(string State, string Detail = "");
