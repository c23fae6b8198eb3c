namespace Qbee.Authz.Service.Domain.Model;

internal enum NodeKind
{
    Group = 1,
    Device = 2,
}

/// <summary>A node of the account's group tree: a group or a device. <c>root</c> has an empty parent.</summary>
internal sealed record NodeRecord(
    string AccountId,
    string NodeId,
    NodeKind Kind,
    string ParentId,
    string Title,
    IReadOnlyList<string> Tags,
    bool AgentRemoteAccessDisabled);
