using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Snapshots;

namespace Qbee.Authz.Service.Audit;

/// <summary>
/// Rung whenever audit events may have committed, so WatchAuditEvents streams read at once instead of at their next
/// poll: by the writer after each batch, and by every snapshot swap, which follows each admin write (whose event
/// commits in the write's own transaction) on this replica and, through revision sync, on the others.
/// </summary>
internal sealed class AuditCommitSignal : ISnapshotObserver
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next ring: take it before reading, so a commit during the read is not missed.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Ring() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    void ISnapshotObserver.Swapped(AccountSnapshot snapshot, string[]? revokedUsers) => Ring();

    void ISnapshotObserver.Replaced(AccountSnapshot snapshot) => Ring();
}
