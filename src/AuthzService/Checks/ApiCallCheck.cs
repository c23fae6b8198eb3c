namespace Qbee.Authz.Service.Checks;

/// <summary>A CheckApiCall that passed validation: <paramref name="Method"/> upper case and known, <paramref name="Path"/> an absolute URL path.</summary>
internal readonly record struct ApiCallCheck(string UserId, string Method, string Path, long MinRevision, bool Explain);
