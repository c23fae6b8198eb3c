using Qbee.Authz.Service.Domain.Changes;

namespace Qbee.Authz.Service.Domain.Snapshot;

// STUB until h16-patch is merged: removed by the merge commit.
internal static class SnapshotPatcher
{
    public static PatchedSnapshot Apply(AccountSnapshot before, ChangeSet changes, DateTimeOffset builtAt, List<string>? skipped = null) =>
        throw new NotSupportedException("stub");
}
