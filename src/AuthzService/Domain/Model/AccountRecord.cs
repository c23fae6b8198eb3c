namespace Qbee.Authz.Service.Domain.Model;

/// <summary>An account (tenant) and its revision: a monotonic counter bumped by every admin write.</summary>
internal sealed record AccountRecord(string AccountId, string Name, long Revision);
