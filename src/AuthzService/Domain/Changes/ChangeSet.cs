using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Domain.Changes;

/// <summary>
/// One committed admin write of an account: the rows it changed, in the order it wrote them, and the version it
/// made. <paramref name="PreviousStamp"/> is the stamp of the revision before it (0 for the account's creation): a
/// replica applies a change set only onto a snapshot of exactly (<c>Version.Revision - 1</c>, PreviousStamp), so a
/// change set of another history (a store restored from an older copy) is never applied onto this one.
/// </summary>
internal sealed record ChangeSet(
    string AccountId,
    AccountVersion Version,
    long PreviousStamp,
    DateTimeOffset CommittedAt,
    IReadOnlyList<Change> Changes)
{
    public long Revision => Version.Revision;

    /// <summary>The version a snapshot must be at for this change set to apply onto it.</summary>
    public AccountVersion Previous => new(Version.Revision - 1, PreviousStamp);
}
