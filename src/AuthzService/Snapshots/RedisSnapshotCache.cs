using System.Globalization;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Domain.Changes;
using Qbee.Authz.Service.Domain.Model;
using StackExchange.Redis;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>
/// An account's data in Redis, as deltas: <c>account:{id}:changes</c>, a stream of its change sets by revision (entry id
/// <c>{revision}-0</c>, the <see cref="ChangeSetCodec"/> bytes), appended by the replica that made or read the write;
/// one compacted snapshot <c>account:{id}:compacted:{revision}:{stamp}</c> (<see cref="AccountDataCodec"/> rows) and
/// its pointer <c>account:{id}:compacted</c> (a hash: version, bytes, written at, bytes of change sets appended
/// since), rewritten now and then by one replica, the stream trimmed below it; <c>account:{id}:head</c>
/// (<c>{revision}:{stamp}</c>, the newest appended); short per-account locks; and a change message
/// <c>{account} {revision}:{stamp}</c> on the changes channel after each append. The stamps tell apart two histories
/// of one account at the same revision (a store restored from an older copy): Redis is a cache of the store, and a
/// replica takes from it only what chains onto a version its own store holds.
/// </summary>
internal sealed class RedisSnapshotCache(RedisConnection redis, IOptions<SyncOptions> options)
{
    // Appends change sets (ARGV: ttl ms, head revision, head, then id/bytes pairs) and moves the head forward only.
    // A revision already in the stream, or below its newest, is skipped: two replicas appending one write add it once.
    // Returns { appended, stream length, bytes appended since the compaction, compacted version, its bytes, its time }.
    private const string AppendScript = """
        local added = 0
        for i = 4, #ARGV, 2 do
          local r = redis.pcall('XADD', KEYS[1], ARGV[i], 'c', ARGV[i + 1])
          if type(r) ~= 'table' or not r.err then
            added = added + 1
            redis.call('HINCRBY', KEYS[3], 'pending', string.len(ARGV[i + 1]))
          end
        end
        if added > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        local current = redis.call('GET', KEYS[2]) local revision = 0
        if current then revision = tonumber(string.match(current, '^(%d+)')) or 0 end
        if revision < tonumber(ARGV[2]) then redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[1]) end
        local state = redis.call('HMGET', KEYS[3], 'pending', 'version', 'bytes', 'at')
        return { added, redis.call('XLEN', KEYS[1]), state[1] or '0', state[2] or '', state[3] or '0', state[4] or '0' }
        """;

    // Moves the pointer to a newer compacted snapshot (ARGV: ttl ms, version, revision, bytes, now ms, expected old
    // version or '' for any older, data): only from the version the caller read (another replica may have compacted
    // meanwhile) or, with '', forward. Deletes the old copy (its key is the pointer's plus its version), trims the
    // stream below the new one and counts the bytes left in it.
    private const string CompactScript = """
        local current = redis.call('HGET', KEYS[1], 'version')
        local currentRevision = 0
        if current then currentRevision = tonumber(string.match(current, '^(%d+)')) or 0 end
        if ARGV[6] ~= '' then
          if current ~= ARGV[6] then return 0 end
        elseif currentRevision >= tonumber(ARGV[3]) then
          return 0
        end
        redis.call('SET', KEYS[2], ARGV[7], 'PX', ARGV[1])
        if current and current ~= ARGV[2] then redis.call('DEL', KEYS[1] .. ':' .. current) end
        redis.call('XTRIM', KEYS[3], 'MINID', tostring(tonumber(ARGV[3]) + 1) .. '-0')
        local pending = 0
        for _, entry in ipairs(redis.call('XRANGE', KEYS[3], '-', '+')) do
          pending = pending + string.len(entry[2][2])
        end
        redis.call('HSET', KEYS[1], 'version', ARGV[2], 'bytes', ARGV[4], 'at', ARGV[5], 'pending', pending)
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return 1
        """;

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

    /// <summary>
    /// The change sets in the stream with a revision in (<paramref name="afterRevision"/>, <paramref name="toRevision"/>],
    /// in order, up to the first entry that is not a readable change set of the account.
    /// </summary>
    public async Task<List<ChangeSet>> ReadChangesAsync(string accountId, long afterRevision, long toRevision)
    {
        var entries = await redis.Database.StreamRangeAsync(
            ChangesKey(accountId), EntryId(afterRevision + 1), EntryId(toRevision));
        var changeSets = new List<ChangeSet>(entries.Length);
        foreach (var entry in entries)
        {
            try
            {
                changeSets.Add(ChangeSetCodec.Decode((byte[])entry.Values[0].Value!, accountId));
            }
            catch (Exception e) when (e is InvalidDataException or IndexOutOfRangeException or InvalidCastException)
            {
                break; // another version's layout, or damaged: the rest comes from SQL
            }
        }

        return changeSets;
    }

    /// <summary>
    /// Appends change sets the store holds (in revision order, maybe none) after those in the stream, moves the head
    /// forward to <paramref name="last"/> and tells every replica. What the stream and its compacted snapshot hold then
    /// decides the next compaction.
    /// </summary>
    public async Task<StreamState> AppendAndAnnounceAsync(string accountId, IReadOnlyList<ChangeSet> changeSets, AccountVersion last)
    {
        var head = FormatVersion(last);
        var arguments = new RedisValue[3 + (changeSets.Count * 2)];
        arguments[0] = (long)options.Value.SnapshotTtl.TotalMilliseconds;
        arguments[1] = last.Revision;
        arguments[2] = head;
        for (var i = 0; i < changeSets.Count; i++)
        {
            arguments[3 + (2 * i)] = EntryId(changeSets[i].Revision);
            arguments[4 + (2 * i)] = ChangeSetCodec.Encode(changeSets[i]);
        }

        var result = (RedisResult[])(await redis.Database.ScriptEvaluateAsync(
            AppendScript, [ChangesKey(accountId), HeadKey(accountId), PointerKey(accountId)], arguments))!;
        await redis.Subscriber.PublishAsync(redis.ChangesChannel, $"{accountId} {head}");
        return new StreamState(
            Appended: (int)result[0],
            Length: (long)result[1],
            PendingBytes: long.Parse((string)result[2]!, CultureInfo.InvariantCulture),
            Compacted: ParseVersion((RedisValue)result[3]),
            CompactedBytes: long.Parse((string)result[4]!, CultureInfo.InvariantCulture),
            CompactedAt: DateTimeOffset.FromUnixTimeMilliseconds(long.Parse((string)result[5]!, CultureInfo.InvariantCulture)));
    }

    /// <summary>The version of the account's compacted snapshot; null when there is none.</summary>
    public async Task<AccountVersion?> GetCompactedVersionAsync(string accountId) =>
        ParseVersion(await redis.Database.HashGetAsync(PointerKey(accountId), "version"));

    /// <summary>The compacted rows of exactly <paramref name="version"/>; null when Redis does not hold them.</summary>
    public async Task<AccountData?> TryLoadCompactedAsync(string accountId, AccountVersion version)
    {
        var bytes = (byte[]?)await redis.Database.StringGetAsync(CompactedKey(accountId, version));
        var data = bytes is null ? null : AccountDataCodec.Decode(bytes, accountId);
        return data?.Account.Version == version ? data : null;
    }

    /// <summary>
    /// Writes <paramref name="data"/> as the account's compacted snapshot when the pointer is still at
    /// <paramref name="replacing"/> (null: when it is older than the data), deletes the one it replaces and trims the
    /// stream below it. False when another replica moved the pointer first.
    /// </summary>
    public async Task<bool> TryCompactAsync(AccountData data, AccountVersion? replacing, DateTimeOffset now)
    {
        var accountId = data.Account.AccountId;
        var bytes = AccountDataCodec.Encode(data);
        var written = (int)await redis.Database.ScriptEvaluateAsync(
            CompactScript,
            [PointerKey(accountId), CompactedKey(accountId, data.Account.Version), ChangesKey(accountId)],
            [
                (long)options.Value.SnapshotTtl.TotalMilliseconds,
                FormatVersion(data.Account.Version),
                data.Account.Revision,
                bytes.Length,
                now.ToUnixTimeMilliseconds(),
                replacing is { } r ? FormatVersion(r) : string.Empty,
                bytes,
            ]);
        return written == 1;
    }

    /// <summary>
    /// The store holds another history than Redis: its data replaces everything Redis holds of the account (the
    /// change stream, the compacted snapshot, the head, even at a lower revision), and every replica is told.
    /// </summary>
    public async Task ResetAndAnnounceAsync(AccountData data, DateTimeOffset now)
    {
        var accountId = data.Account.AccountId;
        var database = redis.Database;
        var old = await GetCompactedVersionAsync(accountId);
        await database.KeyDeleteAsync([ChangesKey(accountId), PointerKey(accountId), .. old is { } o ? [CompactedKey(accountId, o)] : Array.Empty<RedisKey>()]);
        await TryCompactAsync(data, replacing: null, now);
        var head = FormatVersion(data.Account.Version);
        await database.StringSetAsync(HeadKey(accountId), head, options.Value.SnapshotTtl);
        await redis.Subscriber.PublishAsync(redis.ChangesChannel, $"{accountId} {head}");
    }

    /// <summary>One replica rebuilds an account from SQL at a time; the others wait for its result.</summary>
    public Task<bool> TryLockAsync(string accountId, string owner) =>
        redis.Database.LockTakeAsync(redis.Key($"account:{accountId}:rebuild"), owner, LockTime);

    public Task ReleaseAsync(string accountId, string owner) =>
        redis.Database.LockReleaseAsync(redis.Key($"account:{accountId}:rebuild"), owner);

    /// <summary>One replica compacts an account at a time.</summary>
    public Task<bool> TryLockCompactionAsync(string accountId, string owner, TimeSpan time) =>
        redis.Database.LockTakeAsync(redis.Key($"account:{accountId}:compacting"), owner, time);

    public Task ReleaseCompactionAsync(string accountId, string owner) =>
        redis.Database.LockReleaseAsync(redis.Key($"account:{accountId}:compacting"), owner);

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

    private static RedisValue EntryId(long revision) => string.Create(CultureInfo.InvariantCulture, $"{revision}-0");

    private RedisKey HeadKey(string accountId) => redis.Key($"account:{accountId}:head");

    private RedisKey ChangesKey(string accountId) => redis.Key($"account:{accountId}:changes");

    private RedisKey PointerKey(string accountId) => redis.Key($"account:{accountId}:compacted");

    private RedisKey CompactedKey(string accountId, AccountVersion version) =>
        redis.Key($"account:{accountId}:compacted:{FormatVersion(version)}");
}
