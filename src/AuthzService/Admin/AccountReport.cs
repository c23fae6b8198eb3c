namespace Qbee.Authz.Service.Admin;

/// <summary>
/// One account held by this replica: the store's revision and the snapshot's, and how long ago the snapshot was
/// built and last confirmed current (<paramref name="ConfirmedAge"/> null: never), its estimated size; or an account
/// of the store not held (<paramref name="Loaded"/> false: loaded on demand when asked about).
/// </summary>
internal sealed record AccountReport(
    string AccountId,
    long Revision,
    long SnapshotRevision,
    TimeSpan SnapshotAge,
    int Devices,
    int Users,
    int Roles,
    TimeSpan? ConfirmedAge,
    long SnapshotBytes = 0,
    bool Loaded = true);
