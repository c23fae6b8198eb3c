using Qbee.Authz.Service.Domain.Evaluation;
using Proto = Qbee.Authz.V1;

namespace Qbee.Authz.Service.Grpc.Mapping;

/// <summary>The decision reason, domain to contract and back: one arm per value, so a new value fails to map loudly.</summary>
internal static class DecisionMapping
{
    public static Proto.DecisionReason ToProto(this DecisionReason reason) => reason switch
    {
        DecisionReason.None => Proto.DecisionReason.Unspecified,
        DecisionReason.Granted => Proto.DecisionReason.Granted,
        DecisionReason.UserNotFound => Proto.DecisionReason.UserNotFound,
        DecisionReason.UserDisabled => Proto.DecisionReason.UserDisabled,
        DecisionReason.DeviceNotFound => Proto.DecisionReason.DeviceNotFound,
        DecisionReason.PermissionNotGranted => Proto.DecisionReason.PermissionNotGranted,
        DecisionReason.DeviceOutOfScope => Proto.DecisionReason.DeviceOutOfScope,
        DecisionReason.ActionNotGranted => Proto.DecisionReason.ActionNotGranted,
        DecisionReason.RemoteAccessDisabled => Proto.DecisionReason.RemoteAccessDisabled,
        DecisionReason.ApiCallUnknown => Proto.DecisionReason.ApiCallUnknown,
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    public static DecisionReason ToDomain(this Proto.DecisionReason reason) => reason switch
    {
        Proto.DecisionReason.Unspecified => DecisionReason.None,
        Proto.DecisionReason.Granted => DecisionReason.Granted,
        Proto.DecisionReason.UserNotFound => DecisionReason.UserNotFound,
        Proto.DecisionReason.UserDisabled => DecisionReason.UserDisabled,
        Proto.DecisionReason.DeviceNotFound => DecisionReason.DeviceNotFound,
        Proto.DecisionReason.PermissionNotGranted => DecisionReason.PermissionNotGranted,
        Proto.DecisionReason.DeviceOutOfScope => DecisionReason.DeviceOutOfScope,
        Proto.DecisionReason.ActionNotGranted => DecisionReason.ActionNotGranted,
        Proto.DecisionReason.RemoteAccessDisabled => DecisionReason.RemoteAccessDisabled,
        Proto.DecisionReason.ApiCallUnknown => DecisionReason.ApiCallUnknown,
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };
}
