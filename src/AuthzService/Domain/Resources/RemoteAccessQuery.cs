namespace Qbee.Authz.Service.Domain.Resources;

/// <summary>
/// The remote-access part of a check, validated: what the gateway is about to do. Zero/None/null fields were
/// not given; a grant that restricts such a field does not match (fail closed).
/// </summary>
internal readonly record struct RemoteAccessQuery(
    RemoteAction Action,
    TunnelProtocol Protocol,
    int Port,
    string? Destination,
    CopyDirection Direction,
    string? NormalizedPath)
{
    public static RemoteAccessQuery None => default;
}
