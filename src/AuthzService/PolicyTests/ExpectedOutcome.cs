using Qbee.Authz.Service.Checks;
using Qbee.Authz.Service.Domain.Evaluation;

namespace Qbee.Authz.Service.PolicyTests;

/// <summary>
/// What an assertion expects: a reason (<c>GRANTED</c>, <c>PERMISSION_NOT_GRANTED</c>, …) or just <c>allowed</c> /
/// <c>denied</c>, and optionally whether an allowed answer is <c>restricted</c>.
/// </summary>
internal readonly record struct ExpectedOutcome(DecisionReason? Reason, bool Allowed, bool? Restricted)
{
    /// <summary>The names an assertion may expect: the contract's DecisionReason names without their prefix.</summary>
    public static readonly IReadOnlyDictionary<string, DecisionReason> Reasons = new Dictionary<string, DecisionReason>(StringComparer.OrdinalIgnoreCase)
    {
        ["GRANTED"] = DecisionReason.Granted,
        ["USER_NOT_FOUND"] = DecisionReason.UserNotFound,
        ["USER_DISABLED"] = DecisionReason.UserDisabled,
        ["DEVICE_NOT_FOUND"] = DecisionReason.DeviceNotFound,
        ["PERMISSION_NOT_GRANTED"] = DecisionReason.PermissionNotGranted,
        ["DEVICE_OUT_OF_SCOPE"] = DecisionReason.DeviceOutOfScope,
        ["ACTION_NOT_GRANTED"] = DecisionReason.ActionNotGranted,
        ["REMOTE_ACCESS_DISABLED"] = DecisionReason.RemoteAccessDisabled,
    };

    /// <summary>Reads <c>GRANTED</c>, <c>allowed</c>, <c>denied</c>; null when the word is none of them.</summary>
    public static ExpectedOutcome? Parse(string word, bool? restricted)
    {
        if (Reasons.TryGetValue(word, out var reason))
        {
            return new ExpectedOutcome(reason, reason == DecisionReason.Granted, restricted);
        }

        return word.ToLowerInvariant() switch
        {
            "allowed" => new ExpectedOutcome(null, true, restricted),
            "denied" => new ExpectedOutcome(null, false, restricted),
            _ => null,
        };
    }

    public static string NameOf(DecisionReason reason) =>
        Reasons.FirstOrDefault(r => r.Value == reason).Key ?? reason.ToString().ToUpperInvariant();

    public bool IsMetBy(in CheckResult result) =>
        (Reason is null ? result.Allowed == Allowed : result.Reason == Reason)
        && (Restricted is null || (result.Allowed && result.Restricted == Restricted));

    public override string ToString()
    {
        var outcome = Reason is { } reason ? NameOf(reason) : Allowed ? "allowed" : "denied";
        return Restricted switch
        {
            true => outcome + " restricted",
            false => outcome + " unrestricted",
            null => outcome,
        };
    }
}
