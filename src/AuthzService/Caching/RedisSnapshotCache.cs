using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Domain.Model;
using StackExchange.Redis;

namespace Qbee.Authz.Service.Caching;

/// <summary>
/// Snapshot data in Redis: <c>account:{id}:snapshot:{revision}</c> (binary), <c>account:{id}:revision</c>
/// (the newest stored), the set <c>accounts</c>, a short per-account rebuild lock, and a change message
/// <c>{account} {revision}</c> on the changes channel after each store.
/// </summary>
internal sealed class RedisSnapshotCache(RedisConnection redis, IOptions<SyncOptions> options)
{
    // Moves the revision key forward only: a slow writer of an older revision never moves it back.
    private const string RaiseRevision =
        "local current = tonumber(redis.call('GET', KEYS[1]) or '0') " +
        "if current < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) return 1 end return 0";

    public static readonly TimeSpan LockTime = TimeSpan.FromSeconds(15);

    private static readonly char[] MessageSeparator = [' '];

    public bool Usable => redis.Enabled && redis.IsConnected;

    public async Task<IReadOnlyList<string>> ListAccountIdsAsync()
    {
        var members = await redis.Database.SetMembersAsync(redis.Key("accounts"));
        return members.Select(m => m.ToString()).ToArray();
    }

    public async Task<long> GetRevisionAsync(string accountId)
    {
        var value = await redis.Database.StringGetAsync(RevisionKey(accountId));
        return value.TryParse(out long revision) ? revision : 0;
    }

    public async Task<long[]> GetRevisionsAsync(IReadOnlyList<string> accountIds)
    {
        var values = await redis.Database.StringGetAsync(accountIds.Select(RevisionKey).ToArray());
        return values.Select(v => v.TryParse(out long r) ? r : 0).ToArray();
    }

    /// <summary>The newest stored data of the account if it is at least <paramref name="minRevision"/>.</summary>
    public async Task<AccountData?> TryLoadAsync(string accountId, long minRevision)
    {
        var revision = await GetRevisionAsync(accountId);
        if (revision < minRevision || revision == 0)
        {
            return null;
        }

        var bytes = (byte[]?)await redis.Database.StringGetAsync(SnapshotKey(accountId, revision));
        return bytes is null ? null : AccountDataCodec.Decode(bytes, accountId);
    }

    /// <summary>Stores the data, moves the revision key forward, and tells every replica.</summary>
    public async Task StoreAndAnnounceAsync(AccountData data)
    {
        var accountId = data.Account.AccountId;
        var database = redis.Database;
        await database.StringSetAsync(SnapshotKey(accountId, data.Account.Revision), AccountDataCodec.Encode(data), options.Value.SnapshotTtl);
        await database.ScriptEvaluateAsync(RaiseRevision, [RevisionKey(accountId)], [data.Account.Revision]);
        await database.SetAddAsync(redis.Key("accounts"), accountId);
        await redis.Subscriber.PublishAsync(redis.ChangesChannel, $"{accountId} {data.Account.Revision}");
    }

    /// <summary>One replica rebuilds an account from SQL at a time; the others wait for its result.</summary>
    public Task<bool> TryLockAsync(string accountId, string owner) =>
        redis.Database.LockTakeAsync(redis.Key($"account:{accountId}:rebuild"), owner, LockTime);

    public Task ReleaseAsync(string accountId, string owner) =>
        redis.Database.LockReleaseAsync(redis.Key($"account:{accountId}:rebuild"), owner);

    public static bool TryParseMessage(RedisValue message, out string accountId, out long revision)
    {
        var parts = message.ToString().Split(MessageSeparator, 2);
        accountId = parts[0];
        revision = 0;
        return parts.Length == 2 && long.TryParse(parts[1], out revision) && Domain.Ids.IsValidId(accountId);
    }

    private RedisKey RevisionKey(string accountId) => redis.Key($"account:{accountId}:revision");

    private RedisKey SnapshotKey(string accountId, long revision) => redis.Key($"account:{accountId}:snapshot:{revision}");
}
