using Qbee.Authz.Service.Domain.Changes;

namespace Qbee.Authz.Service.Storage;

/// <summary>
/// A read of an account's change log after a revision: its change sets in revision order, without gaps.
/// <paramref name="Covered"/> is false when the log no longer holds the first revision asked for (purged past its
/// retention, or written before the log existed): the reader then loads the account whole.
/// <paramref name="AccountRevision"/> is the account's revision in the same read.
/// </summary>
internal sealed record ChangeLogPage(IReadOnlyList<ChangeSet> ChangeSets, bool Covered, long AccountRevision);
