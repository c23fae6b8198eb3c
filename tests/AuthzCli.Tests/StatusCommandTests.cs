namespace Qbee.Authz.Cli.Tests;

public sealed class StatusCommandTests(AcmeServer acme) : IClassFixture<AcmeServer>
{
    [Fact]
    public async Task Status_Human_ListsComponentsAndTheAccount()
    {
        var result = await Cli.RunAsync(acme.Server, "status");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(result.OutLines, l => l.StartsWith("store ", StringComparison.Ordinal) && l.Contains("ok"));
        var row = Assert.Single(result.OutLines, l => l.StartsWith("acme ", StringComparison.Ordinal));
        var cells = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(acme.Revision.ToString(), cells[1]);
        Assert.Equal("1", cells[^3]); // devices
        Assert.Equal("4", cells[^2]); // users: the owner, bob, carol, dave
    }

    [Fact]
    public async Task Status_Json_IsTheGetStatusResponse()
    {
        var result = await Cli.RunAsync(acme.Server, "status", "--json");

        Assert.Equal(0, result.ExitCode);
        var status = Output.ProtoJson.Parser.Parse<V1.GetStatusResponse>(result.Out.Trim());
        Assert.Equal("acme", Assert.Single(status.Accounts).AccountId);
    }
}
