namespace Qbee.Authz.Service.Domain.Model;

internal enum RemoteAccessTarget
{
    Node = 1,
    Tag = 2,
}

/// <summary>
/// "Remote console / remote access" set on a node (group, root or device) or a tag.
/// <paramref name="ChangedRevision"/> orders tag settings: the most recently changed one wins.
/// </summary>
internal sealed record RemoteAccessSettingRecord(
    RemoteAccessTarget TargetKind,
    string Target,
    bool Enabled,
    long ChangedRevision);
