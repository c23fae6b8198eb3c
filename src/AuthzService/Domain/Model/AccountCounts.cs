namespace Qbee.Authz.Service.Domain.Model;

/// <summary>How many records of each kind an export holds (its end record) or an import took.</summary>
internal readonly record struct AccountCounts(int Roles, int Users, int Nodes, int RemoteAccess);
