using System.Globalization;
using StackExchange.Redis;

namespace Qbee.Authz.Harness;

/// <summary>
/// What one account holds in Redis: every key under the service's prefix that names the account as one of its
/// <c>:</c>-separated parts (today <c>account:{id}:snapshot:{revision}:{stamp}</c> and <c>account:{id}:head</c>;
/// a change-set stream and a compacted snapshot under other names are found the same way), each measured with
/// <c>MEMORY USAGE key SAMPLES 0</c> (every element counted, not sampled). "One full snapshot" is the largest
/// string key among them: a copy of the whole account, in the old design as in the new.
/// </summary>
internal sealed record RedisFootprint(IReadOnlyList<RedisFootprint.KeyUsage> Keys)
{
    public const string ServicePrefix = "qbee-authz:";

    public sealed record KeyUsage(string Key, RedisType Type, long Bytes);

    public long TotalBytes => Keys.Sum(k => k.Bytes);

    public KeyUsage? LargestString => Keys.Where(k => k.Type == RedisType.String).MaxBy(k => k.Bytes);

    public static async Task<RedisFootprint> MeasureAsync(string configuration, string accountId)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"{configuration},allowAdmin=true");
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        var database = connection.GetDatabase();
        var keys = new List<KeyUsage>();
        await foreach (var key in server.KeysAsync(pattern: ServicePrefix + "*", pageSize: 1000))
        {
            var name = key.ToString();
            if (!name[ServicePrefix.Length..].Split(':').Any(part => part.Trim('{', '}') == accountId))
            {
                continue;
            }

            var bytes = await database.ExecuteAsync("MEMORY", "USAGE", key, "SAMPLES", "0");
            keys.Add(new KeyUsage(name, await database.KeyTypeAsync(key), bytes.IsNull ? 0 : (long)bytes));
        }

        return new RedisFootprint(keys);
    }

    public string Describe()
    {
        var byType = string.Join(", ", Keys.GroupBy(k => k.Type).OrderBy(g => g.Key)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Count()} {g.Key.ToString().ToLowerInvariant()} ({Mb(g.Sum(k => k.Bytes))})")));
        var largest = LargestString;
        return largest is null
            ? $"{Keys.Count} keys: {byType}; total {Mb(TotalBytes)}; no string key"
            : string.Create(CultureInfo.InvariantCulture,
                $"{Keys.Count} keys: {byType}; total {Mb(TotalBytes)}; one full snapshot ({largest.Key}) {Mb(largest.Bytes)}; total / full snapshot {TotalBytes / (double)largest.Bytes:F2}x");
    }

    public static string Mb(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):F2} MB");
}
