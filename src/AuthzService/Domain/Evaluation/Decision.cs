using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.Domain.Evaluation;

/// <summary>The answer to a check: a struct of references the snapshot already holds, so it allocates nothing.</summary>
internal readonly record struct Decision(DecisionReason Reason, Grant? Grant, bool Restricted, long Revision)
{
    public bool Allowed => Reason == DecisionReason.Granted;

    public static Decision Deny(DecisionReason reason, long revision) => new(reason, null, false, revision);

    /// <summary>One human sentence per reason, constant so that answering allocates no text.</summary>
    public string Sentence => Reason switch
    {
        DecisionReason.Granted => Restricted
            ? "Allowed, but not on every device or for every action: filter with ResolveScope or ListAllowedDevices."
            : "Allowed.",
        DecisionReason.UserNotFound => "Denied: no such user.",
        DecisionReason.UserDisabled => "Denied: the user is disabled.",
        DecisionReason.DeviceNotFound => "Denied: no such device in the user's account.",
        DecisionReason.PermissionNotGranted => "Denied: no role of the user grants this permission.",
        DecisionReason.DeviceOutOfScope => "Denied: the user's grants of this permission do not cover this device.",
        DecisionReason.ActionNotGranted => "Denied: the grants that cover this device do not allow this action or its parameters.",
        DecisionReason.RemoteAccessDisabled => "Denied: the user may connect, but the device does not accept remote access.",
        DecisionReason.ApiCallUnknown => "Denied: the API call is not in the API table.",
        _ => "Denied.",
    };
}
