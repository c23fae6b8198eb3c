using Qbee.Authz.V1;

namespace Qbee.Authz.Client;

/// <summary>The answer to a check. A deny is a normal answer: <see cref="Allowed"/> false with its <see cref="Reason"/>.</summary>
/// <param name="Allowed">Whether the user may do it.</param>
/// <param name="Reason">Why it was answered so (<see cref="DecisionReason.Granted"/> when allowed).</param>
/// <param name="Permission">The canonical permission name (for an API call: the permission the call maps to).</param>
/// <param name="RoleId">The role of the grant that allowed it; null when denied.</param>
/// <param name="Resource">The resource of the grant that allowed it; null when denied.</param>
/// <param name="Restricted">Allowed, but not everywhere (without a device: not on every device; without an action: not every action).</param>
/// <param name="Revision">The revision of the account snapshot the answer came from.</param>
/// <param name="Message">One human sentence; with explain, the whole path of the decision.</param>
public sealed record Decision(
    bool Allowed,
    DecisionReason Reason,
    string Permission,
    string? RoleId,
    string? Resource,
    bool Restricted,
    ulong Revision,
    string Message);

/// <summary>One question for <see cref="IAuthzClient.CheckAsync(CheckQuery, CancellationToken)"/> or <see cref="IAuthzClient.CheckManyAsync"/>.</summary>
/// <param name="UserId">The user.</param>
/// <param name="Permission">A permission of the catalogue, e.g. <c>device:read</c>.</param>
/// <param name="DeviceId">A device id (64 lowercase hex), or null for none.</param>
/// <param name="RemoteAccess">For <c>remote-access:connect</c>: the action and its parameters.</param>
public sealed record CheckQuery(string UserId, string Permission, string? DeviceId = null, RemoteAccessRequest? RemoteAccess = null)
{
    /// <summary>Asks the service for the whole path of the decision in <see cref="Decision.Message"/>. Explained answers are never cached.</summary>
    public bool Explain { get; init; }

    /// <summary>Waits until the account's snapshot reaches this revision; 0: what read-your-writes says, or any.</summary>
    public ulong MinRevision { get; init; }
}

/// <summary>The remote-access action of a <c>remote-access:connect</c> check, with its parameters.</summary>
/// <param name="Action">Console, tunnel, reload or copy.</param>
/// <param name="Proto">Tunnel: <c>tcp</c> or <c>udp</c>.</param>
/// <param name="Port">Tunnel: 1..65535.</param>
/// <param name="Destination">Tunnel: the destination host.</param>
/// <param name="Direction">Copy: <c>upload</c> or <c>download</c>.</param>
/// <param name="Path">Copy: an absolute path on the device.</param>
public sealed record RemoteAccessRequest(
    RemoteAccessAction Action,
    string? Proto = null,
    uint Port = 0,
    string? Destination = null,
    string? Direction = null,
    string? Path = null)
{
    /// <summary>A remote console.</summary>
    public static RemoteAccessRequest Console() => new(RemoteAccessAction.Console);

    /// <summary>A tunnel to <paramref name="destination"/>:<paramref name="port"/> over <paramref name="proto"/> (<c>tcp</c> or <c>udp</c>).</summary>
    /// <param name="proto"><c>tcp</c> or <c>udp</c>.</param>
    /// <param name="port">1..65535.</param>
    /// <param name="destination">The destination host, e.g. <c>localhost</c>.</param>
    public static RemoteAccessRequest Tunnel(string proto, uint port, string destination) => new(RemoteAccessAction.Tunnel, proto, port, destination);

    /// <summary>A file copy.</summary>
    /// <param name="direction"><c>upload</c> or <c>download</c>.</param>
    /// <param name="path">An absolute path on the device.</param>
    public static RemoteAccessRequest Copy(string direction, string path) => new(RemoteAccessAction.Copy, Direction: direction, Path: path);

    /// <summary>A reload of the remote-access configuration.</summary>
    public static RemoteAccessRequest Reload() => new(RemoteAccessAction.Reload);
}

/// <summary>
/// The tags and nodes that bound a permission for a user: a device is in scope when it has one of the tags or one of
/// the nodes is among its ancestors (itself included). An API service turns it into its SQL <c>WHERE</c>.
/// </summary>
/// <param name="Granted">The user holds the permission on at least one resource.</param>
/// <param name="Unrestricted">The permission covers every device of the account: no filter needed.</param>
/// <param name="Tags">A device with one of these tags is in scope.</param>
/// <param name="NodeIds">A device with one of these nodes among its ancestors (itself included) is in scope.</param>
/// <param name="Revision">The revision of the snapshot the answer came from.</param>
/// <param name="Reason">Why not granted; <see cref="DecisionReason.Granted"/> otherwise.</param>
public sealed record Scope(
    bool Granted,
    bool Unrestricted,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> NodeIds,
    ulong Revision,
    DecisionReason Reason)
{
    /// <summary>Whether a device with these tags and these ancestors is in scope.</summary>
    /// <param name="deviceTags">The device's tags.</param>
    /// <param name="ancestorsAndSelf">The device's id and the ids of the groups above it.</param>
    public bool Includes(IEnumerable<string> deviceTags, IEnumerable<string> ancestorsAndSelf)
    {
        ArgumentNullException.ThrowIfNull(deviceTags);
        ArgumentNullException.ThrowIfNull(ancestorsAndSelf);
        if (!Granted)
        {
            return false;
        }

        return Unrestricted || deviceTags.Any(Tags.Contains) || ancestorsAndSelf.Any(NodeIds.Contains);
    }
}

/// <summary>Every permission and UI element a user has, optionally on one device.</summary>
/// <param name="Permissions">The permission names.</param>
/// <param name="UiElements">The UI elements those permissions show.</param>
/// <param name="Revision">The revision of the snapshot the answer came from.</param>
public sealed record EffectivePermissions(IReadOnlyList<string> Permissions, IReadOnlyList<string> UiElements, ulong Revision);

/// <summary>Users of an account whose rights may have shrunk at a revision; a gateway re-checks their open sessions.</summary>
/// <param name="AccountId">The account.</param>
/// <param name="Revision">The revision that shrank them.</param>
/// <param name="UserIds">The users.</param>
/// <param name="AllUsers">The service cannot tell which users changed (its history does not reach back far
/// enough): treat every user of the account as named, including users it no longer lists.</param>
public sealed record Revocation(string AccountId, ulong Revision, IReadOnlyList<string> UserIds, bool AllUsers = false);
