namespace Qbee.Authz.Service.Domain.Resources;

/// <summary>An inclusive range of ports; a single port is a range of one.</summary>
internal readonly record struct PortRange(int From, int To)
{
    public bool Contains(int port) => port >= From && port <= To;

    public override string ToString() => From == To ? From.ToString() : $"{From}-{To}";
}
