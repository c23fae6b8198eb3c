namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>
/// The users of an account whose rights may have shrunk at <paramref name="Revision"/> (sorted by id), so their
/// sessions can be cut. <paramref name="AllUsers"/>: the history before is unknown, so every user is named.
/// </summary>
internal sealed record Revocation(string AccountId, long Revision, IReadOnlyList<string> UserIds, bool AllUsers = false);
