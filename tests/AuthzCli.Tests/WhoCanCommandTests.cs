namespace Qbee.Authz.Cli.Tests;

public sealed class WhoCanCommandTests(AcmeServer acme) : IClassFixture<AcmeServer>
{
    [Fact]
    public async Task WhoCan_Console_ListsTheHoldersWithTheirGrant() // the owner through the default role, bob and carol through support
    {
        var result = await Cli.RunAsync(acme.Server, "who-can", Acme.Device, "remote-access:connect", "--console");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith($"3 users may use remote-access:connect (console) on {Acme.Device}", result.OutLines[0]);
        var bob = Assert.Single(result.OutLines, l => l.StartsWith("acme-bob ", StringComparison.Ordinal));
        Assert.Equal(["acme-bob", "acme-bob@example.com", "support", "tag:production/console"], bob.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain(result.OutLines, l => l.StartsWith("acme-dave", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WhoCan_PageSizeOne_FollowsEveryPage()
    {
        var result = await Cli.RunAsync(acme.Server, "who-can", Acme.Device, "device:read", "--page-size", "1", "--json");

        Assert.Equal(0, result.ExitCode);
        var response = Output.ProtoJson.Parser.Parse<V1.ListDeviceUsersResponse>(result.Out.Trim());
        // The owner (default role), bob and carol, in the service's order, across three pages.
        Assert.Equal(["acme-alice", "acme-bob", "acme-carol"], response.Users.Select(u => u.UserId));
        Assert.Equal(string.Empty, response.NextPageToken);
    }

    [Fact]
    public async Task WhoCan_Group_AsksByAccountAndNode()
    {
        var result = await Cli.RunAsync(acme.Server, "who-can", "--account", "acme", "--node", "acme-factory", "remote-access:connect", "--tunnel", "8000", "--proto", "tcp", "--dst", "localhost");

        Assert.Equal(0, result.ExitCode);
        // Only a grant on `*` or on the group reaches every device under it: the owner's default role, not support's tag.
        Assert.StartsWith("1 user may use remote-access:connect (tunnel tcp/8000 to localhost) on every device under acme-factory of acme", result.OutLines[0]);
        Assert.StartsWith("acme-alice ", result.OutLines[2]);
    }

    [Fact]
    public async Task WhoCan_NodeWithADevice_IsAUsageError()
    {
        var result = await Cli.RunAsync(acme.Server, "who-can", Acme.Device, "device:read", "--account", "acme", "--node", "acme-factory");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("with --node give the PERMISSION alone", result.Error);
    }

    [Fact]
    public async Task WhoCan_UnknownDevice_PrintsTheStatusLine()
    {
        var result = await Cli.RunAsync(acme.Server, "who-can", Fleet.DeviceId(999), "device:read");

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("qbee-authz: NOT_FOUND: ", result.Error);
    }
}
