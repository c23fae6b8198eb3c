namespace Qbee.Authz.Service.Domain.Model;

/// <summary>
/// A whole account to store as one revision (ImportAccount): every row validated, every reference inside it
/// resolved. <paramref name="Nodes"/> start with root and unassigned_group and hold every parent before its
/// children, parents resolved as a write resolves them; tag settings in <paramref name="Settings"/> come in the order
/// they were changed (the store gives the later ones the higher changed revision, so the same tag wins a device).
/// <paramref name="UserRecords"/> and <paramref name="NodeRecords"/> name the stream record each row came from, for
/// the refusals only the store can make (an id another account holds).
/// </summary>
internal sealed record AccountImport(
    AccountRecord Account,
    bool Replace,
    IReadOnlyList<RoleRecord> Roles,
    IReadOnlyList<UserRecord> Users,
    IReadOnlyList<NodeRecord> Nodes,
    IReadOnlyList<RemoteAccessSettingRecord> Settings,
    IReadOnlyList<string> UserRecords,
    IReadOnlyList<string> NodeRecords,
    AccountCounts Counts)
{
    /// <summary>
    /// The settings as stored at <paramref name="revision"/>: a node's changed at it; tags' at it and below, in the
    /// order they came, so the later one is the more recently changed and wins a device that carries both, as it did
    /// where the account was exported. Any later write is above them all.
    /// </summary>
    public RemoteAccessSettingRecord[] SettingsAt(long revision)
    {
        var tagsAfter = Settings.Count(s => s.TargetKind == RemoteAccessTarget.Tag);
        var stored = new RemoteAccessSettingRecord[Settings.Count];
        for (var i = 0; i < stored.Length; i++)
        {
            var setting = Settings[i];
            stored[i] = setting with { ChangedRevision = setting.TargetKind == RemoteAccessTarget.Tag ? revision - --tagsAfter : revision };
        }

        return stored;
    }
}
