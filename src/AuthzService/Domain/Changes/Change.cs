using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Domain.Changes;

/// <summary>
/// One row an admin write changed, as the store holds it after the write (a node with its parent resolved and its
/// tags as stored). The cases are closed: a change log entry of an unknown case is unreadable, never skipped.
/// </summary>
internal abstract record Change;

/// <summary>The account was created (revision 1) or renamed: its id and name.</summary>
internal sealed record AccountPut(string AccountId, string Name) : Change;

internal sealed record RolePut(RoleRecord Role) : Change;

internal sealed record RoleDeleted(string RoleId) : Change;

/// <summary>A user added or replaced whole (profile, status and roles in the user's order).</summary>
internal sealed record UserPut(UserRecord User) : Change;

internal sealed record UserDeleted(string UserId) : Change;

/// <summary>A node added or replaced whole: moved, retitled, retagged, or its agent flag changed.</summary>
internal sealed record NodePut(NodeRecord Node) : Change;

internal sealed record NodeDeleted(string NodeId) : Change;

/// <summary>
/// A remote-access setting set (<paramref name="Enabled"/> true or false) or cleared (null). Deleting a node clears
/// its setting: that is a change of its own, written with the <see cref="NodeDeleted"/>.
/// </summary>
internal sealed record RemoteAccessChanged(RemoteAccessTarget TargetKind, string Target, bool? Enabled, long ChangedRevision) : Change;
