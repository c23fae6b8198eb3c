using Qbee.Authz.Service.Domain.Changes;

namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>
/// Applies one change set to a compiled snapshot, producing the next immutable snapshot; readers keep the one
/// before. Answers exactly as <see cref="SnapshotCompiler.Compile"/> of <see cref="ChangeSetApplier.Apply"/>'s
/// rows would (the property test holds it to that), at a cost that follows what the change set touched
/// (<see cref="SnapshotPatch"/>); what a patch cannot keep exact (chains the compiler cut off) is recompiled whole.
/// </summary>
internal static class SnapshotPatcher
{
    /// <param name="skipped">Stored resources of the roles the change set puts that no longer parse.</param>
    /// <exception cref="InvalidOperationException"><paramref name="before"/> is not at <c>changes.Previous</c>.</exception>
    public static PatchedSnapshot Apply(AccountSnapshot before, ChangeSet changes, DateTimeOffset builtAt, List<string>? skipped = null)
    {
        if (before.Version != changes.Previous || !string.Equals(before.AccountId, changes.AccountId, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"change set {changes.AccountId}@{changes.Version} does not follow snapshot {before.AccountId}@{before.Version}");
        }

        return SnapshotPatch.TryApply(before, changes, builtAt, skipped) ?? Recompile(before, changes, builtAt, skipped);
    }

    /// <summary>The whole account compiled again from the rows the snapshot holds: the fallback, and the reference.</summary>
    internal static PatchedSnapshot Recompile(AccountSnapshot before, ChangeSet changes, DateTimeOffset builtAt, List<string>? skipped)
    {
        var after = SnapshotCompiler.Compile(ChangeSetApplier.Apply(SnapshotRows.Of(before), changes), builtAt, skipped);
        var changed = new List<string>();
        foreach (var (userId, old) in before.Users)
        {
            if (!after.Users.TryGetValue(userId, out var now) || !UserRights.Same(before, old, after, now))
            {
                changed.Add(userId);
            }
        }

        foreach (var userId in after.Users.Keys)
        {
            if (!before.Users.ContainsKey(userId))
            {
                changed.Add(userId);
            }
        }

        return new PatchedSnapshot(after, changed, RevocationDiff.UsersWhoseRightsMayHaveShrunk(before, after));
    }
}
