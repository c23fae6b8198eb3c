using Qbee.Authz.Service.Domain.Evaluation;

namespace Qbee.Authz.Service.Checks;

/// <summary>
/// The answer to one check: the decision, the permission's canonical name (empty for an unknown API call) and
/// the explanation asked for. A struct of references the snapshot already holds, so answering allocates nothing
/// beyond the response.
/// </summary>
internal readonly record struct CheckResult(Decision Decision, string Permission, string? Explanation)
{
    public bool Allowed => Decision.Allowed;

    public DecisionReason Reason => Decision.Reason;

    public string RoleId => Decision.Grant?.RoleId ?? string.Empty;

    /// <summary>The grant's resource, on an allowed answer only.</summary>
    public string Resource => Decision.Allowed ? Decision.Grant?.Resource ?? string.Empty : string.Empty;

    public bool Restricted => Decision.Restricted;

    public long Revision => Decision.Revision;

    /// <summary>The reason's sentence (constant), then the explanation when one was asked for.</summary>
    public string Message => Explanation is null ? Decision.Sentence : $"{Decision.Sentence} {Explanation}".TrimEnd();
}
