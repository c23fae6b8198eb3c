using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.TestKit.Accounts;

/// <summary>
/// The records of an account with plain defaults (titles, names and emails made from the ids), for hand-made
/// accounts (<c>using static</c>) and the generators (through <see cref="AccountBuilder"/>).
/// </summary>
internal static class AccountRecords
{
    public static NodeRecord Group(string account, string id, string parent, params string[] tags) =>
        new(account, id, NodeKind.Group, parent, $"Group {id}", tags, false);

    public static NodeRecord Device(string account, string id, string parent, bool agentDisabled, params string[] tags) =>
        new(account, id, NodeKind.Device, parent, $"Device {id[..6]}", tags, agentDisabled);

    public static RoleRecord Role(string account, string id, params PolicyRecord[] policies) =>
        new(account, id, $"Role {id}", $"About {id}", policies);

    public static PolicyRecord Policy(string permission, params string[] resources) => new(permission, resources);

    public static UserRecord User(string account, string id, bool disabled, params string[] roles) =>
        new(account, id, $"{id}@example.com", "First", "Last", roles, disabled ? UserState.Disabled : UserState.Active);

    public static RemoteAccessSettingRecord NodeSetting(string node, bool enabled, long revision = 1) =>
        new(RemoteAccessTarget.Node, node, enabled, revision);

    public static RemoteAccessSettingRecord TagSetting(string tag, bool enabled, long revision) =>
        new(RemoteAccessTarget.Tag, tag, enabled, revision);
}
