using Qbee.Authz.Service.Domain.Changes;

namespace Qbee.Authz.Service.Storage;

/// <summary>
/// One write rehearsed (<see cref="IAuthzStore.DryRun"/>): the store runs it in its transaction exactly as the real
/// write, every check and every row, then rolls back instead of drawing a revision, appending to the change log and
/// recording the audit event. What it hands back here is the change set it would have appended, chained to the
/// version it read under the account's lock. Single use.
/// </summary>
internal sealed class StoreDryRun
{
    private ChangeSet? _changeSet;

    /// <summary>The change set the write would have appended; throws before the write has run.</summary>
    public ChangeSet ChangeSet => _changeSet ?? throw new InvalidOperationException("the dry run has not run its write");

    /// <summary>The store's revision when the write ran: the answer's revision (0: the account did not exist).</summary>
    public long CurrentRevision => ChangeSet.Previous.Revision;

    internal void Rehearsed(ChangeSet changeSet)
    {
        if (_changeSet is not null)
        {
            throw new InvalidOperationException("a dry run rehearses one write");
        }

        _changeSet = changeSet;
    }
}
