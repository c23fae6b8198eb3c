namespace Qbee.Authz.Service.Domain;

/// <summary>The actions of remote-access:connect. <see cref="None"/>: no action named (every action).</summary>
internal enum RemoteAction : byte
{
    None = 0,
    Console = 1,
    Tunnel = 2,
    Reload = 3,
    Copy = 4,
}
