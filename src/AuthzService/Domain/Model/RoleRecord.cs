namespace Qbee.Authz.Service.Domain.Model;

/// <summary>A role: a named list of policies. A user with several roles has the union of their policies.</summary>
internal sealed record RoleRecord(
    string AccountId,
    string RoleId,
    string Name,
    string Description,
    IReadOnlyList<PolicyRecord> Policies);

/// <summary>A permission on a list of resources (OR'ed); an empty list means <c>*</c>.</summary>
/// <remarks>Permission is stored canonical (the alias reports:markread is rewritten on write).</remarks>
internal sealed record PolicyRecord(string Permission, IReadOnlyList<string> Resources);
