namespace Qbee.Authz.Cli.Tests;

public sealed class HelpTests
{
    [Theory]
    [InlineData("check")]
    [InlineData("who-can")]
    [InlineData("what-if")]
    [InlineData("export")]
    [InlineData("import")]
    [InlineData("test")]
    [InlineData("status")]
    [InlineData("audit", "tail")]
    [InlineData("new-token")]
    public async Task Help_EveryCommand_PrintsItsUsageAndExitsZero(params string[] command)
    {
        var result = await Cli.RunAsync([.. command, "--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"qbee-authz {string.Join(' ', command)}", result.Out);
        Assert.Contains("--address", result.Out);
    }

    [Fact]
    public async Task Help_Root_ListsEveryCommand()
    {
        var result = await Cli.RunAsync("--help");

        Assert.Equal(0, result.ExitCode);
        foreach (var command in new[] { "check", "who-can", "what-if", "export", "import", "test", "status", "audit", "new-token" })
        {
            Assert.Contains($"  {command}", result.Out);
        }
    }

    [Fact]
    public async Task Run_UnknownCommand_ExitsTwo()
    {
        var result = await Cli.RunAsync("chekc");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("see 'qbee-authz --help'", result.Error);
    }
}
