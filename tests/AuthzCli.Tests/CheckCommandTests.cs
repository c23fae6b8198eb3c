namespace Qbee.Authz.Cli.Tests;

public sealed class CheckCommandTests(AcmeServer acme) : IClassFixture<AcmeServer>
{
    [Fact]
    public async Task Check_Granted_ExitsZeroAndNamesTheGrant()
    {
        var result = await Cli.RunAsync(acme.Server, "check", "acme-bob", "remote-access:connect", Acme.Device, "--console");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("ALLOWED remote-access:connect by role support, resource tag:production/console", result.OutLines[0]);
        Assert.Equal(string.Empty, result.Error);
    }

    [Fact]
    public async Task Check_PermissionNotHeld_ExitsOneWithTheReason()
    {
        var result = await Cli.RunAsync(acme.Server, "check", "acme-bob", "device:manage", Acme.Device);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("DENIED PERMISSION_NOT_GRANTED", result.OutLines[0]);
    }

    [Fact]
    public async Task Check_TunnelOutsideTheGrantedPorts_IsDeniedWithTheExplainText()
    {
        var result = await Cli.RunAsync(acme.Server, "check", "acme-bob", "remote-access:connect", Acme.Device, "--tunnel", "22", "--proto", "tcp", "--dst", "localhost", "--explain");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("DENIED ACTION_NOT_GRANTED", result.OutLines[0]);
        Assert.Contains("support", result.OutLines[1]); // the explain text names the role it looked at
    }

    [Fact]
    public async Task Check_TunnelInsideTheGrantedPorts_IsAllowed()
    {
        var result = await Cli.RunAsync(acme.Server, "check", "acme-bob", "remote-access:connect", Acme.Device, "--tunnel", "8080", "--proto", "tcp", "--dst", "localhost");

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Check_Json_PrintsTheCheckResponse()
    {
        var result = await Cli.RunAsync(acme.Server, "check", "acme-dave", "device:read", Acme.Device, "--json", "--min-revision", acme.Revision.ToString());

        Assert.Equal(1, result.ExitCode);
        var response = Output.ProtoJson.Parser.Parse<V1.CheckResponse>(result.Out.Trim());
        Assert.Equal(V1.DecisionReason.PermissionNotGranted, response.Reason);
        Assert.Equal(acme.Revision, response.Revision);
    }

    [Fact]
    public async Task Check_UnknownPermission_PrintsTheStatusOnOneLineAndExitsThree()
    {
        var result = await Cli.RunAsync(acme.Server, "check", "acme-bob", "device:fly", Acme.Device);

        Assert.Equal(3, result.ExitCode);
        Assert.Equal(string.Empty, result.Out);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("qbee-authz: INVALID_ARGUMENT: permission", line);
    }

    [Fact]
    public async Task Check_TwoActions_IsAUsageErrorAndCallsNothing()
    {
        var result = await Cli.RunAsync(acme.Server, "check", "acme-bob", "remote-access:connect", Acme.Device, "--console", "--reload");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("at most one of --console, --tunnel, --copy and --reload", result.Error);
        Assert.Contains("see 'qbee-authz check --help'", result.Error);
    }

    [Fact]
    public async Task Check_CopyWithoutDirection_IsAUsageError()
    {
        var result = await Cli.RunAsync(acme.Server, "check", "acme-bob", "remote-access:connect", Acme.Device, "--copy", "/etc/hosts");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--copy and --direction go together", result.Error);
    }

    [Fact]
    public async Task Check_AddressFromTheEnvironment_IsUsed()
    {
        var result = await Cli.RunAsync(["check", "acme-bob", "device:read", Acme.Device], new Dictionary<string, string> { ["QBEE_AUTHZ_ADDRESS"] = acme.Server.Address });

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Check_NothingListening_PrintsUnavailableWithTheAddress()
    {
        var result = await Cli.RunAsync("check", "acme-bob", "device:read", "--address", "http://127.0.0.1:1");

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("qbee-authz: UNAVAILABLE: ", result.Error);
        Assert.Contains("(address http://127.0.0.1:1/)", result.Error);
    }

    [Fact]
    public async Task Check_AddressNotAUrl_IsBadInput()
    {
        var result = await Cli.RunAsync("check", "acme-bob", "device:read", "--address", "127.0.0.1:50051");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--address: '127.0.0.1:50051' is not an http:// or https:// URL", result.Error);
    }
}
