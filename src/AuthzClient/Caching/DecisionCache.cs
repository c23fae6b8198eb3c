using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Qbee.Authz.Client.Consistency;

namespace Qbee.Authz.Client.Caching;

/// <summary>
/// Check answers kept for a short time, keyed by the question. Only answers about users whose account is known are
/// kept, because only then is the account's revocation watch running to drop them when the user's rights shrink.
/// An answer older than a revocation already seen for its user is never stored (a check racing a revocation).
/// While the account's watch is not connected, revocations may be missed: nothing is stored or served (every check
/// asks the service), and an answer is served only within the watch connection it was stored in (after a
/// reconnection the missed revocations are replayed, perhaps not yet). Errors are never stored: only answers reach
/// <see cref="Add"/>.
/// </summary>
internal sealed class DecisionCache
{
    private readonly ConcurrentDictionary<CheckQuery, Entry> _entries = new();
    private readonly ConcurrentDictionary<string, ulong> _revokedAt = new(StringComparer.Ordinal);
    // Per account, the newest revocation of all its users (it lists none: a user deleted by it is named nowhere).
    private readonly ConcurrentDictionary<string, ulong> _allRevokedAt = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IDisposable> _subscriptions = new(StringComparer.Ordinal);
    private readonly DecisionCacheOptions _options;
    private readonly RevisionTracker _tracker;
    private readonly RevocationHub _hub;
    private readonly TimeProvider _time;

    public DecisionCache(IOptions<AuthzClientOptions> options, RevisionTracker tracker, RevocationHub hub, TimeProvider time)
    {
        _options = options.Value.DecisionCache;
        _tracker = tracker;
        _hub = hub;
        _time = time;
    }

    public bool Enabled => _options.Enabled;

    public int Count => _entries.Count;

    /// <summary>Raised after a revocation has dropped its users' answers (tests wait on it).</summary>
    public event Action<Revocation>? Revoked;

    public static CheckQuery KeyOf(CheckQuery query) => query with { MinRevision = 0 };

    public bool TryGet(CheckQuery key, ulong minRevision, out Decision decision)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.Expires > _time.GetUtcNow() && entry.Decision.Revision >= minRevision
            && _hub.Connection(entry.AccountId) == entry.Connection)
        {
            decision = entry.Decision;
            return true;
        }

        decision = null!;
        return false;
    }

    public void Add(CheckQuery key, Decision decision)
    {
        if (_tracker.AccountOf(key.UserId) is not { } accountId)
        {
            return;
        }

        EnsureWatching(accountId);
        if (!_hub.Covers(accountId, decision.Revision, out var connection) || RevokedSince(key.UserId, accountId, decision.Revision))
        {
            return;
        }

        if (_entries.Count >= _options.MaxEntries)
        {
            _entries.Clear();
        }

        var entry = new Entry(decision, _time.GetUtcNow() + _options.TimeToLive, accountId, connection);
        _entries[key] = entry;

        // A revocation that came between the check above and the store: its sweep may have passed before the entry
        // was in, but it recorded its revision first, so this sees it and takes the entry out (this one only).
        if (RevokedSince(key.UserId, accountId, decision.Revision))
        {
            _entries.TryRemove(new KeyValuePair<CheckQuery, Entry>(key, entry));
        }
    }

    private bool RevokedSince(string userId, string accountId, ulong revision) =>
        (_revokedAt.TryGetValue(userId, out var revokedAt) && revision < revokedAt)
        || (_allRevokedAt.TryGetValue(accountId, out var allRevokedAt) && revision < allRevokedAt);

    public void Revoke(Revocation revocation)
    {
        if (revocation.AllUsers)
        {
            _allRevokedAt.AddOrUpdate(revocation.AccountId, revocation.Revision, (_, seen) => Math.Max(seen, revocation.Revision));
        }

        foreach (var userId in revocation.UserIds)
        {
            _revokedAt.AddOrUpdate(userId, revocation.Revision, (_, seen) => Math.Max(seen, revocation.Revision));
        }

        var users = revocation.UserIds.ToHashSet(StringComparer.Ordinal);
        foreach (var key in _entries.Keys)
        {
            // Every user of the account may have changed: the cache cannot tell whose answers still hold.
            if (revocation.AllUsers || users.Contains(key.UserId))
            {
                _entries.TryRemove(key, out _);
            }
        }

        Revoked?.Invoke(revocation);
    }

    private void EnsureWatching(string accountId)
    {
        if (_subscriptions.ContainsKey(accountId))
        {
            return;
        }

        lock (_subscriptions)
        {
            if (!_subscriptions.ContainsKey(accountId))
            {
                _subscriptions[accountId] = _hub.Subscribe(accountId, Revoke);
            }
        }
    }

    // Connection: the account's watch connection it was stored in; it is served only while that one lasts.
    private sealed record Entry(Decision Decision, DateTimeOffset Expires, string AccountId, int Connection);
}
