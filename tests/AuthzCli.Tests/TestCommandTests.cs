namespace Qbee.Authz.Cli.Tests;

public sealed class TestCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("qbee-authz-policy-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Test_TheSampleFile_HoldsWithNoServer()
    {
        var result = await Cli.RunAsync("test", Sample());

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Empty, result.Error);
    }

    [Fact]
    public async Task Test_AWrongAssertion_ExitsOneWithTheExplainText()
    {
        var file = Path.Combine(_folder, "wrong.yaml");
        var text = await File.ReadAllTextAsync(Sample());
        await File.WriteAllTextAsync(file, text.Replace("bob device:manage gateway-01 -> PERMISSION_NOT_GRANTED", "bob device:manage gateway-01 -> GRANTED"));

        var result = await Cli.RunAsync("test", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("bob device:manage gateway-01", result.Out + result.Error);
        Assert.Contains("PERMISSION_NOT_GRANTED", result.Out + result.Error);
    }

    [Fact]
    public async Task Test_MissingFile_ExitsTwo()
    {
        var result = await Cli.RunAsync("test", Path.Combine(_folder, "none.yaml"));

        Assert.Equal(2, result.ExitCode);
    }

    private static string Sample() => Path.Combine(Repository.Root, "samples", "policy-tests", "support-team.yaml");
}
