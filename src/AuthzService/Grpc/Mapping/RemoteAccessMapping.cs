using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.Grpc.Mapping;

/// <summary>The remote-access action, domain to contract and back, and the remote-access part of an audit record.</summary>
internal static class RemoteAccessMapping
{
    public static RemoteAccessAction ToProto(this RemoteAction action) => action switch
    {
        RemoteAction.None => RemoteAccessAction.Unspecified,
        RemoteAction.Console => RemoteAccessAction.Console,
        RemoteAction.Tunnel => RemoteAccessAction.Tunnel,
        RemoteAction.Reload => RemoteAccessAction.Reload,
        RemoteAction.Copy => RemoteAccessAction.Copy,
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    /// <summary>Null for a value this build does not know (a newer client's): the caller names the field in its error.</summary>
    public static RemoteAction? ToDomain(this RemoteAccessAction action) => action switch
    {
        RemoteAccessAction.Unspecified => RemoteAction.None,
        RemoteAccessAction.Console => RemoteAction.Console,
        RemoteAccessAction.Tunnel => RemoteAction.Tunnel,
        RemoteAccessAction.Reload => RemoteAction.Reload,
        RemoteAccessAction.Copy => RemoteAction.Copy,
        _ => null,
    };

    /// <summary>As the caller wrote it (validated, not normalised), for the audit record of a connect check.</summary>
    public static RemoteAccessRequest ToAuditRecord(this RemoteAccess remote) => new(
        remote.Action.ToDomain() ?? RemoteAction.None, remote.Proto, (int)Math.Min(remote.Port, int.MaxValue), remote.Dst, remote.Direction, remote.Path);

    /// <summary>An audit record's remote-access part: an action stored by a newer build reads as unspecified, so one
    /// such event never fails a whole ListAuditEvents page.</summary>
    public static RemoteAccess ToProto(this RemoteAccessRequest remote) => new()
    {
        Action = System.Enum.IsDefined(remote.Action) ? remote.Action.ToProto() : RemoteAccessAction.Unspecified,
        Proto = remote.Proto,
        Port = (uint)Math.Max(remote.Port, 0),
        Dst = remote.Dst,
        Direction = remote.Direction,
        Path = remote.Path,
    };
}
