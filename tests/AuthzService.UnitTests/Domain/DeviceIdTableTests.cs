using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.UnitTests.Domain;

public sealed class DeviceIdTableTests
{
    private static string Id(Random random) => Convert.ToHexStringLower(random.GetItems<byte>(Enumerable.Range(0, 256).Select(b => (byte)b).ToArray(), 32));

    [Fact]
    public void TryGet_EveryStoredId_FindsItsNode()
    {
        var random = new Random(7);
        var ids = Enumerable.Range(0, 5000).Select(_ => Id(random)).Distinct().ToArray();
        var table = new DeviceIdTable(ids.Select((id, i) => (id, i * 3)).ToArray());

        for (var i = 0; i < ids.Length; i++)
        {
            Assert.True(table.TryGet(ids[i], out var node));
            Assert.Equal(i * 3, node);
        }
    }

    [Fact]
    public void TryGet_IdDifferingOnlyInTheLastDigitOrFirstHalf_IsNotFound()
    {
        var random = new Random(11);
        var id = Id(random);
        var table = new DeviceIdTable([(id, 0)]);
        var lastDigit = id[..63] + (id[63] == '0' ? '1' : '0');
        var sameFirstHalf = id[..32] + new string('0', 32);

        Assert.False(table.TryGet(lastDigit, out var node));
        Assert.Equal(-1, node);
        Assert.False(table.TryGet(sameFirstHalf, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("xyz")]
    [InlineData("zz00000000000000000000000000000000000000000000000000000000000000")]
    public void TryGet_NotADeviceId_IsNotFound(string id)
    {
        var table = new DeviceIdTable([(new string('a', 64), 1)]);

        Assert.False(table.TryGet(id, out _));
    }

    [Fact]
    public void Builder_SetAndRemove_ChangeTheNewTableOnly()
    {
        var random = new Random(3);
        var ids = Enumerable.Range(0, 5000).Select(_ => Id(random)).Distinct().ToArray();
        var table = new DeviceIdTable(ids.Select((id, i) => (id, i)).ToArray());
        var fresh = Id(random);
        var builder = table.ToBuilder();
        builder.Remove(ids[0]);
        builder.Set(fresh, 9999);
        builder.Set(ids[1], 7);

        var next = builder.Build();

        Assert.False(next.TryGet(ids[0], out _));
        Assert.True(next.TryGet(fresh, out var added));
        Assert.Equal(9999, added);
        Assert.True(next.TryGet(ids[1], out var moved));
        Assert.Equal(7, moved);
        for (var i = 2; i < ids.Length; i++)
        {
            Assert.True(next.TryGet(ids[i], out var node));
            Assert.Equal(i, node);
        }

        Assert.True(table.TryGet(ids[0], out var old));
        Assert.Equal(0, old);
        Assert.False(table.TryGet(fresh, out _));
    }
}
