using System.Collections.Concurrent;

namespace Qbee.Authz.Client.Consistency;

/// <summary>
/// The highest revision seen per account (admin writes, answers, revocations) and the account of each user it was
/// told about. Checks name a user, not an account, and answers do not say the account: a user's account is learned
/// from admin writes made through this client and from <see cref="IAuthzClient.RememberUserAccount"/>.
/// </summary>
internal sealed class RevisionTracker
{
    private readonly ConcurrentDictionary<string, ulong> _revisions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _userAccounts = new(StringComparer.Ordinal);

    public void Observe(string accountId, ulong revision)
    {
        if (revision == 0 || accountId.Length == 0)
        {
            return;
        }

        _revisions.AddOrUpdate(accountId, revision, (_, seen) => Math.Max(seen, revision));
    }

    /// <summary>An answer about a user came from this revision of the user's account, when the account is known.</summary>
    public void ObserveUser(string userId, ulong revision)
    {
        if (_userAccounts.TryGetValue(userId, out var accountId))
        {
            Observe(accountId, revision);
        }
    }

    public void MapUser(string userId, string accountId)
    {
        if (userId.Length > 0 && accountId.Length > 0)
        {
            _userAccounts[userId] = accountId;
        }
    }

    public void ForgetUser(string userId) => _userAccounts.TryRemove(userId, out _);

    public string? AccountOf(string userId) => _userAccounts.TryGetValue(userId, out var accountId) ? accountId : null;

    public ulong RevisionOf(string accountId) => _revisions.TryGetValue(accountId, out var revision) ? revision : 0;

    public ulong RevisionOfUser(string userId) => AccountOf(userId) is { } accountId ? RevisionOf(accountId) : 0;
}
