using Qbee.Authz.Service.Security;

namespace Qbee.Authz.Service.UnitTests.Security;

public sealed class TokenCommandTests
{
    [Fact]
    public void Run_NameAndScopes_PrintsATokenWhoseHashIsConfiguredInBothForms()
    {
        var output = new StringWriter();

        var code = TokenCommand.Run(["new-token", "--name", "gateway", "--scopes", "check,admin"], output, TextWriter.Null);

        Assert.Equal(0, code);
        var lines = output.ToString().Split('\n').Select(l => l.Trim()).ToList();
        var token = lines[lines.FindIndex(l => l.StartsWith("Token of caller 'gateway'", StringComparison.Ordinal)) + 1];
        var hash = TokenCommand.Sha256Hex(token);
        Assert.Equal(43, token.Length);
        Assert.Contains(hash, lines);
        Assert.Contains($"\"Authz\": {{ \"Callers\": [ {{ \"Name\": \"gateway\", \"TokenSha256\": \"{hash}\", \"Scopes\": [ \"check\", \"admin\" ] }} ] }}", lines);
        Assert.Contains($"export Authz__Callers__0__TokenSha256={hash}", lines);
        Assert.Contains("export Authz__Callers__0__Scopes__1=admin", lines);
        var table = new CallerTable([new CallerEntry { Name = "gateway", TokenSha256 = hash, Scopes = ["check"] }]);
        Assert.Equal(0, table.Find(token));
    }

    [Fact]
    public void NewToken_IsFreshEachTime()
    {
        Assert.NotEqual(TokenCommand.NewToken().Token, TokenCommand.NewToken().Token);
    }

    [Theory]
    [InlineData("new-token")]
    [InlineData("new-token --name gateway")]
    [InlineData("new-token --name gateway --scopes read")]
    [InlineData("new-token --name bad/name --scopes check")]
    [InlineData("new-token --name gateway --scopes check --extra")]
    public void Run_BadArguments_ExitsTwoWithUsage(string commandLine)
    {
        var error = new StringWriter();

        var code = TokenCommand.Run(commandLine.Split(' '), TextWriter.Null, error);

        Assert.Equal(2, code);
        Assert.Contains("usage: new-token", error.ToString());
    }
}
