namespace Qbee.Authz.Service.Domain.Evaluation;

/// <summary>
/// A page of ListDeviceUsers from one snapshot: <paramref name="Reason"/> is Granted (the users the grants give) or
/// RemoteAccessDisabled (nobody may connect there; <paramref name="Message"/> says why, users empty).
/// <paramref name="More"/>: another user follows the last.
/// </summary>
internal sealed record DeviceUserListing(long Revision, DecisionReason Reason, string Message, IReadOnlyList<DeviceUserGrant> Users, bool More);
