using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Snapshots;
using StackExchange.Redis;

namespace Qbee.Authz.Service.UnitTests.Snapshots;

public sealed class RedisSnapshotCacheTests
{
    [Fact]
    public void ParseVersion_OfFormatVersion_GivesItBack()
    {
        var version = new AccountVersion(15, -4_611_686_018_427_387_904);

        Assert.Equal(version, RedisSnapshotCache.ParseVersion(RedisSnapshotCache.FormatVersion(version)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("15")] // a revision key of the layout before stamps
    [InlineData("15:")]
    [InlineData("0:7")]
    [InlineData("x:7")]
    [InlineData("-3:7")]
    public void ParseVersion_NotAVersion_IsNull(string value)
    {
        Assert.Null(RedisSnapshotCache.ParseVersion(value));
    }

    [Fact]
    public void TryParseMessage_AccountAndVersion_GivesBoth()
    {
        Assert.True(RedisSnapshotCache.TryParseMessage(new RedisValue("acme 6:42"), out var accountId, out var version));

        Assert.Equal("acme", accountId);
        Assert.Equal(new AccountVersion(6, 42), version);
    }

    [Theory]
    [InlineData("acme 6")] // sent by a replica of the layout before stamps: followed through the poll instead
    [InlineData("acme")]
    [InlineData("ac me 6:42")]
    public void TryParseMessage_Malformed_IsFalse(string message)
    {
        Assert.False(RedisSnapshotCache.TryParseMessage(new RedisValue(message), out _, out _));
    }
}
