using System.Security.Cryptography;
using System.Text;

namespace Qbee.Authz.Cli.Tests;

/// <summary>A service with callers configured: the CLI's token (flag or environment) is sent as a bearer token.</summary>
public sealed class TokenTests : IAsyncLifetime
{
    private const string OpsToken = "cli-tests-ops-token-0123456789abcdefghijklmnop";
    private AuthzServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await AuthzServer.StartAsync(new Dictionary<string, string?>
        {
            ["Authz:Callers:0:Name"] = "ops",
            ["Authz:Callers:0:TokenSha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(OpsToken))),
            ["Authz:Callers:0:Scopes:0"] = "admin",
            ["Authz:Callers:0:Scopes:1"] = "check",
        });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Status_TokenFromTheEnvironment_IsAccepted()
    {
        var result = await Cli.RunAsync(["status", "--address", _server.Address], new Dictionary<string, string> { ["QBEE_AUTHZ_TOKEN"] = OpsToken });

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("qbee-authz ", result.OutLines[0]);
    }

    [Fact]
    public async Task Status_TokenFlag_WinsOverTheEnvironment()
    {
        var result = await Cli.RunAsync(["status", "--address", _server.Address, "--token", OpsToken], new Dictionary<string, string> { ["QBEE_AUTHZ_TOKEN"] = "wrong" });

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Status_NoToken_IsUnauthenticatedOnOneLine()
    {
        var result = await Cli.RunAsync(_server, "status");

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("qbee-authz: UNAUTHENTICATED: ", result.Error);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
