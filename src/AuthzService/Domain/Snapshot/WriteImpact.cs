namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>
/// What a write would change (a dry run): per user whose rights change or whom a real write would name on
/// WatchRevocations, by user id (ordinal), the first of <paramref name="UsersTotal"/> up to the limit asked for.
/// </summary>
internal sealed record WriteImpact(IReadOnlyList<UserRightsChange> Users, int UsersTotal)
{
    public bool Truncated => UsersTotal > Users.Count;
}

/// <summary>
/// One user's change: the permissions whose reach grows and shrinks (catalogue order), on how many distinct
/// devices at least one permission is gained (lost), whether a real write would name the user on
/// WatchRevocations (<see cref="PatchedSnapshot.UsersWhoseRightsMayHaveShrunk"/>), and the change per permission.
/// </summary>
internal sealed record UserRightsChange(
    string UserId,
    IReadOnlyList<Permission> PermissionsGained,
    IReadOnlyList<Permission> PermissionsLost,
    int DevicesGained,
    int DevicesLost,
    bool SessionsRevoked,
    IReadOnlyList<PermissionReachChange> Permissions);

/// <summary>
/// One permission of one user before and after: held at all (on some resource), on how many devices it is gained
/// and lost, and the first of those devices by id (ordinal, at most <see cref="ImpactDiff.ListedDevices"/>).
/// Account-wide permissions have no devices: they are held or not.
/// </summary>
internal sealed record PermissionReachChange(
    Permission Permission,
    bool HeldBefore,
    bool HeldAfter,
    int DevicesGained,
    int DevicesLost,
    IReadOnlyList<string> DeviceIdsGained,
    IReadOnlyList<string> DeviceIdsLost);
