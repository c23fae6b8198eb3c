using System.Globalization;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Domain.Model;
using StackExchange.Redis;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>
/// Snapshot data in Redis: <c>account:{id}:snapshot:{revision}:{stamp}</c> (binary), <c>account:{id}:head</c>
/// (<c>{revision}:{stamp}</c>, the newest stored), a short per-account rebuild lock, and a change message
/// <c>{account} {revision}:{stamp}</c> on the changes channel after each store. The stamp tells apart two
/// histories of one account at the same revision (a store restored from an older copy): Redis is a cache of the
/// store, and a replica takes from it only the version its own store holds.
/// </summary>
internal sealed class RedisSnapshotCache(RedisConnection redis, IOptions<SyncOptions> options)
{
    // Moves the head forward only: a slow writer of an older revision never moves it back.
    private const string RaiseHead =
        "local current = redis.call('GET', KEYS[1]) local revision = 0 " +
        "if current then revision = tonumber(string.match(current, '^(%d+)')) or 0 end " +
        "if revision < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0";

    public static readonly TimeSpan LockTime = TimeSpan.FromSeconds(15);

    public bool Usable => redis.Enabled && redis.IsConnected;

    public async Task<AccountVersion?> GetHeadAsync(string accountId) =>
        ParseVersion(await redis.Database.StringGetAsync(HeadKey(accountId)));

    public async Task<AccountVersion?[]> GetHeadsAsync(IReadOnlyList<string> accountIds)
    {
        if (accountIds.Count == 0)
        {
            return [];
        }

        var values = await redis.Database.StringGetAsync(accountIds.Select(HeadKey).ToArray());
        return values.Select(ParseVersion).ToArray();
    }

    /// <summary>The stored data of exactly <paramref name="version"/>; null when Redis does not hold it.</summary>
    public async Task<AccountData?> TryLoadAsync(string accountId, AccountVersion version)
    {
        var bytes = (byte[]?)await redis.Database.StringGetAsync(SnapshotKey(accountId, version));
        var data = bytes is null ? null : AccountDataCodec.Decode(bytes, accountId);
        return data?.Account.Version == version ? data : null;
    }

    /// <summary>
    /// Stores the data, moves the head to it, and tells every replica. The head moves forward only, unless
    /// <paramref name="overwrite"/>: the store holds another history than Redis, and its version wins even when
    /// it is an older revision.
    /// </summary>
    public async Task StoreAndAnnounceAsync(AccountData data, bool overwrite)
    {
        var accountId = data.Account.AccountId;
        var version = data.Account.Version;
        var database = redis.Database;
        var head = FormatVersion(version);
        await database.StringSetAsync(SnapshotKey(accountId, version), AccountDataCodec.Encode(data), options.Value.SnapshotTtl);
        if (overwrite)
        {
            await database.StringSetAsync(HeadKey(accountId), head);
        }
        else
        {
            await database.ScriptEvaluateAsync(RaiseHead, [HeadKey(accountId)], [version.Revision, head]);
        }

        await redis.Subscriber.PublishAsync(redis.ChangesChannel, $"{accountId} {head}");
    }

    /// <summary>One replica rebuilds an account from SQL at a time; the others wait for its result.</summary>
    public Task<bool> TryLockAsync(string accountId, string owner) =>
        redis.Database.LockTakeAsync(redis.Key($"account:{accountId}:rebuild"), owner, LockTime);

    public Task ReleaseAsync(string accountId, string owner) =>
        redis.Database.LockReleaseAsync(redis.Key($"account:{accountId}:rebuild"), owner);

    public static bool TryParseMessage(RedisValue message, out string accountId, out AccountVersion version)
    {
        var text = message.ToString();
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        accountId = space < 0 ? text : text[..space];
        var parsed = space < 0 ? null : ParseVersion(text[(space + 1)..]);
        version = parsed ?? default;
        return parsed is not null && Domain.Ids.IsValidId(accountId);
    }

    internal static string FormatVersion(AccountVersion version) =>
        string.Create(CultureInfo.InvariantCulture, $"{version.Revision}:{version.Stamp}");

    internal static AccountVersion? ParseVersion(RedisValue value)
    {
        if (value.IsNullOrEmpty)
        {
            return null;
        }

        var text = value.ToString();
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon > 0
            && long.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var revision)
            && long.TryParse(text.AsSpan(colon + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var stamp)
            && revision > 0
                ? new AccountVersion(revision, stamp)
                : null;
    }

    private RedisKey HeadKey(string accountId) => redis.Key($"account:{accountId}:head");

    private RedisKey SnapshotKey(string accountId, AccountVersion version) =>
        redis.Key($"account:{accountId}:snapshot:{FormatVersion(version)}");
}
