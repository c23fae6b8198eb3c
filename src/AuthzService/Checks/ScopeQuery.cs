using Qbee.Authz.Service.Domain;

namespace Qbee.Authz.Service.Checks;

/// <summary>ResolveScope's question: a user (at a revision) and a permission.</summary>
internal readonly record struct ScopeQuery(string UserId, Permission Permission, long MinRevision);
