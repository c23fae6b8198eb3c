using StackExchange.Redis;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>What Redis throws when it is down or slow: timeouts are not RedisExceptions.</summary>
internal static class RedisFailure
{
    public static bool Is(Exception exception) => exception is RedisException or RedisTimeoutException;
}
