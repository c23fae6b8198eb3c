namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>
/// A snapshot made by applying one change set onto the one before it, and what that changed for users:
/// <paramref name="ChangedUserIds"/> are the users whose entry is new, replaced or gone (the user directory updates
/// only those), <paramref name="UsersWhoseRightsMayHaveShrunk"/> the users a revocation event names (sorted,
/// ordinal; errs towards naming too many, never too few).
/// </summary>
internal sealed record PatchedSnapshot(
    AccountSnapshot Snapshot,
    IReadOnlyList<string> ChangedUserIds,
    string[] UsersWhoseRightsMayHaveShrunk);
