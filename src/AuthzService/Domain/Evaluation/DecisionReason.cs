namespace Qbee.Authz.Service.Domain.Evaluation;

/// <summary>
/// Why a check was answered as it was, in the order the evaluator tries them (DOMAIN.md). The numbers are the
/// contract's, because audit records store them; <see cref="None"/> is the reason of an event that decided nothing
/// (an admin write). Public only so that test theories can take it as a parameter.
/// </summary>
public enum DecisionReason
{
    None = 0,
    Granted = 1,
    UserNotFound = 2,
    UserDisabled = 3,
    DeviceNotFound = 4,
    PermissionNotGranted = 5,
    DeviceOutOfScope = 6,
    ActionNotGranted = 7,
    RemoteAccessDisabled = 8,
    ApiCallUnknown = 9,
}
