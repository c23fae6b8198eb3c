namespace Qbee.Authz.Service.Domain.Resources;

internal enum TunnelProtocol : byte
{
    None = 0,
    Tcp = 1,
    Udp = 2,
}
