using System.Security.Cryptography;
using System.Text;

namespace Qbee.Authz.Cli.Tests;

public sealed class NewTokenCommandTests
{
    [Fact]
    public async Task NewToken_NameAndScopes_PrintsATokenAndItsHash()
    {
        var result = await Cli.RunAsync("new-token", "--name", "gateway", "--scopes", "check");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Out.Split('\n');
        var token = lines[1].Trim();
        var hash = lines[4].Trim();
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))), hash);
        Assert.Contains("export Authz__Callers__0__Scopes__0=check", result.Out);
    }

    [Fact]
    public async Task NewToken_NoName_ExitsTwoWithTheUsage()
    {
        var result = await Cli.RunAsync("new-token", "--scopes", "admin");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("usage: new-token --name NAME", result.Error);
    }
}
