namespace Qbee.Authz.Service.Domain.Model;

/// <summary>Everything the store holds for one account: what a snapshot is compiled from.</summary>
internal sealed record AccountData(
    AccountRecord Account,
    IReadOnlyList<RoleRecord> Roles,
    IReadOnlyList<UserRecord> Users,
    IReadOnlyList<NodeRecord> Nodes,
    IReadOnlyList<RemoteAccessSettingRecord> RemoteAccessSettings);
