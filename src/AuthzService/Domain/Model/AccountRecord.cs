namespace Qbee.Authz.Service.Domain.Model;

/// <summary>
/// An account (tenant) and its revision: a monotonic counter bumped by every admin write. <paramref name="Stamp"/>
/// is drawn at random by each write: two copies of a store (one restored from an older backup) can reach the
/// same revision with different contents, and only the stamp tells them apart.
/// </summary>
internal sealed record AccountRecord(string AccountId, string Name, long Revision, long Stamp = 0)
{
    public AccountVersion Version => new(Revision, Stamp);
}
