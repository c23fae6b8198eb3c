using Qbee.Authz.Service.Domain;

namespace Qbee.Authz.Service.UnitTests.Domain;

public sealed class IdsTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("Acme-Corp_2.eu")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123")] // 64: the longest
    public void IsValidId_Accepts(string id) => Assert.True(Ids.IsValidId(id));

    [Theory]
    [InlineData("")]
    [InlineData("01234567890123456789012345678901234567890123456789012345678901234")] // 65
    [InlineData("acme corp")]
    [InlineData("acmé")]
    [InlineData("acme/corp")]
    [InlineData("acme:")]
    [InlineData("Ａcme")] // a full-width letter
    [InlineData("acme\u0000")]
    public void IsValidId_Refuses(string id) => Assert.False(Ids.IsValidId(id));

    [Fact]
    public void IsDeviceId_Accepts64LowercaseHex() =>
        Assert.True(Ids.IsDeviceId("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde")] // 63
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0")] // 65
    [InlineData("0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef")] // upper case
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg")] // g, at the end
    [InlineData("g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")] // g, at the start
    [InlineData("")]
    public void IsDeviceId_Refuses(string id) => Assert.False(Ids.IsDeviceId(id));
}
