using Qbee.Authz.Service.Domain.Evaluation;

namespace Qbee.Authz.Service.Checks;

/// <summary>
/// Which part of the fleet a permission covers: everything (<paramref name="Unrestricted"/>), or the devices
/// with one of <paramref name="Tags"/> or under one of <paramref name="NodeIds"/> (both sorted, distinct).
/// </summary>
internal sealed record ScopeResult(long Revision, DecisionReason Reason, bool Unrestricted, IReadOnlyList<string> Tags, IReadOnlyList<string> NodeIds)
{
    public bool Granted => Reason == DecisionReason.Granted;

    public static ScopeResult Denied(long revision, DecisionReason reason) => new(revision, reason, false, [], []);
}
