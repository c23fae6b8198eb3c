using Qbee.Authz.Service.Domain.Resources;

namespace Qbee.Authz.Service.UnitTests.Domain;

public sealed class DevicePathTests
{
    [Theory]
    [InlineData("/", "/")]
    [InlineData("//", "/")]
    [InlineData("/var/log", "/var/log")]
    [InlineData("/var/log/", "/var/log")]
    [InlineData("/var//log", "/var/log")]
    [InlineData("/var/./log", "/var/log")]
    [InlineData("/./var/log/.", "/var/log")]
    [InlineData("/var/log/../log/x", "/var/log/x")]
    [InlineData("/var/log/..", "/var")]
    [InlineData("/var/log/../..", "/")]
    [InlineData("/..", "/")]
    [InlineData("/../..", "/")]
    [InlineData("/../../etc/passwd", "/etc/passwd")]
    [InlineData("/a/b/../../../c", "/c")]
    [InlineData("/a/.../b", "/a/.../b")]
    [InlineData("/a/..b/.c", "/a/..b/.c")]
    [InlineData("/a b/c", "/a b/c")]
    public void TryNormalize_AbsolutePath_Normalised(string path, string expected)
    {
        Assert.True(DevicePath.TryNormalize(path, out var normalized, out var error), error);
        Assert.Equal(expected, normalized);
        Assert.True(DevicePath.TryNormalize(normalized, out var again, out _));
        Assert.Equal(normalized, again);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("var/log", "absolute")]
    [InlineData("./var", "absolute")]
    [InlineData("../etc", "absolute")]
    [InlineData(" /var", "absolute")]
    [InlineData("/var/\0log", "control characters")]
    [InlineData("/var/\nlog", "control characters")]
    [InlineData("/var/%2e%2e", "'%'")]
    [InlineData("/var\\..\\etc", "'\\'")]
    public void TryNormalize_BadPath_Refused(string path, string reason)
    {
        Assert.False(DevicePath.TryNormalize(path, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryNormalize_LongerThanMax_Refused()
    {
        var max = "/" + new string('a', DevicePath.MaxLength - 1);
        Assert.True(DevicePath.TryNormalize(max, out _, out _));
        Assert.False(DevicePath.TryNormalize(max + "a", out _, out var error));
        Assert.Contains("longer", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/var/log", "/var/log", true)]
    [InlineData("/var/log/x", "/var/log", true)]
    [InlineData("/var/log/x/y", "/var/log", true)]
    [InlineData("/var/logs", "/var/log", false)]
    [InlineData("/var/log2/x", "/var/log", false)]
    [InlineData("/var/lo", "/var/log", false)]
    [InlineData("/var", "/var/log", false)]
    [InlineData("/", "/var/log", false)]
    [InlineData("/etc/passwd", "/var/log", false)]
    [InlineData("/anything/at/all", "/", true)]
    [InlineData("/", "/", true)]
    [InlineData("/Var/log", "/var/log", false)]
    public void IsUnder_WholeSegments_OnlyThePrefixAndBelow(string path, string prefix, bool expected)
    {
        Assert.Equal(expected, DevicePath.IsUnder(path, prefix));
    }

    [Theory]
    [InlineData("/var/log/../../etc/shadow")]
    [InlineData("/var/log/x/../../../etc")]
    [InlineData("/var/log/../logs")]
    [InlineData("/var/log/./../log2")]
    public void TryNormalize_DotDotOutOfPrefix_NotUnderThePrefix(string path)
    {
        Assert.True(DevicePath.TryNormalize(path, out var normalized, out _));
        Assert.False(DevicePath.IsUnder(normalized, "/var/log"));
    }

    [Fact]
    public void TryNormalize_RandomPaths_CanonicalAndMatchesAStackWalk()
    {
        var random = new Random(4242);
        string[] parts = ["a", "b", "log", ".", "..", "", "...", "x y"];
        for (var i = 0; i < 2000; i++)
        {
            var segments = Enumerable.Range(0, random.Next(0, 9)).Select(_ => parts[random.Next(parts.Length)]).ToArray();
            var path = "/" + string.Join('/', segments);
            var stack = new Stack<string>();
            foreach (var s in segments)
            {
                if (s is "" or ".")
                {
                    continue;
                }

                if (s == "..")
                {
                    stack.TryPop(out _);
                }
                else
                {
                    stack.Push(s);
                }
            }

            var expected = "/" + string.Join('/', stack.Reverse());
            Assert.True(DevicePath.TryNormalize(path, out var normalized, out _));
            Assert.Equal(expected, normalized);
            Assert.DoesNotContain("//", normalized, StringComparison.Ordinal);
            Assert.True(normalized == "/" || !normalized.EndsWith('/'));
        }
    }
}
