namespace Qbee.Authz.Service.Storage;

// Query results of the store. Integers come back from every provider as Int64, so the rows hold longs and the
// store converts them to the domain enums.

internal sealed class RoleRow
{
    public string RoleId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public string Policies { get; set; } = "[]";
}

internal sealed class UserRow
{
    public string UserId { get; set; } = "";
    public string Email { get; set; } = "";
    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    public long Status { get; set; }
}

internal sealed class UserRoleRow
{
    public string UserId { get; set; } = "";
    public string RoleId { get; set; } = "";
}

internal sealed class NodeRow
{
    public string NodeId { get; set; } = "";
    public long Kind { get; set; }
    public string ParentId { get; set; } = "";
    public string Title { get; set; } = "";
    public bool AgentRemoteAccessDisabled { get; set; }
}

internal sealed class RemoteAccessSettingRow
{
    public long TargetKind { get; set; }
    public string Target { get; set; } = "";
    public bool Enabled { get; set; }
    public long ChangedRevision { get; set; }
}

internal sealed class GroupParentRow
{
    public string GroupId { get; set; } = "";
    public string ParentId { get; set; } = "";
}

internal sealed class MigrationConflictRow
{
    public string Subject { get; set; } = "";
    public string Holder { get; set; } = "";
}

internal sealed class AccountVersionRow
{
    public long Revision { get; set; }
    public long Stamp { get; set; }
}

internal sealed class ChangeLogRow
{
    public long Revision { get; set; }
    public byte[] Changes { get; set; } = [];
}

internal sealed class ChangeLogKeyRow
{
    public string AccountId { get; set; } = "";
    public long Revision { get; set; }
}
