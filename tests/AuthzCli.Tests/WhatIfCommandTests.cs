namespace Qbee.Authz.Cli.Tests;

public sealed class WhatIfCommandTests(AcmeServer acme) : IClassFixture<AcmeServer>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("qbee-authz-what-if-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task WhatIf_RoleLosesConsole_NamesWhoLosesItAndStoresNothing()
    {
        var file = Write("support.json", """
            {"role": {"account_id": "acme", "role_id": "support", "name": "Support",
              "policies": [{"permission": "device:read", "resources": ["tag:production"]}]}}
            """);

        var result = await Cli.RunAsync(acme.Server, "what-if", file);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith($"What-if putting role support of acme, evaluated at revision {acme.Revision}; nothing was stored.", result.OutLines[0]);
        Assert.Equal("2 users would change:", result.OutLines[1]);
        Assert.Contains(result.OutLines, l => l.StartsWith("acme-bob: loses on 1 device", StringComparison.Ordinal) && l.Contains("WatchRevocations"));
        Assert.Contains($"- remote-access:connect: no longer held; lost on 1 device ({Acme.Device})", result.OutLines);
        var roles = await acme.Server.Admin.ListRolesAsync(new V1.ListRolesRequest { AccountId = "acme" });
        Assert.Equal(acme.Revision, roles.Revision);
        Assert.Equal(2, roles.Roles.Single(r => r.RoleId == "support").Policies.Count);
    }

    [Fact]
    public async Task WhatIf_UserGivenTheRole_JsonImpactNamesTheGain()
    {
        var file = Write("dave.json", """
            {"account_id": "acme", "user_id": "acme-dave", "email": "acme-dave@example.com", "role_ids": ["support"]}
            """);

        var result = await Cli.RunAsync(acme.Server, "what-if", file, "--json");

        Assert.Equal(0, result.ExitCode);
        var impact = Output.ProtoJson.Parser.Parse<V1.Impact>(result.Out.Trim());
        var dave = Assert.Single(impact.Users);
        Assert.Equal("acme-dave", dave.UserId);
        Assert.Contains("device:read", dave.PermissionsGained);
        Assert.False(dave.SessionsRevoked);
    }

    [Fact]
    public async Task WhatIf_YamlRoleFile_ReadsLikeJson()
    {
        var file = Write("support.yaml", """
            # support keeps reading production devices, and loses its remote access
            role:
              account_id: acme
              role_id: support
              name: Support
              policies:
                - permission: device:read
                  resources:
                    - tag:production
            """);

        var result = await Cli.RunAsync(acme.Server, "what-if", file);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("What-if putting role support of acme", result.OutLines[0]);
        Assert.Equal("2 users would change:", result.OutLines[1]);
        Assert.Contains($"- remote-access:connect: no longer held; lost on 1 device ({Acme.Device})", result.OutLines);
    }

    [Fact]
    public async Task WhatIf_InvalidRole_PrintsTheServiceFieldError()
    {
        var file = Write("bad.json", """{"role": {"account_id": "acme", "role_id": "support", "name": "Support", "policies": [{"permission": "device:fly"}]}}""");

        var result = await Cli.RunAsync(acme.Server, "what-if", file);

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("qbee-authz: INVALID_ARGUMENT: role.policies[0].permission", result.Error);
    }

    [Fact]
    public async Task WhatIf_NeitherRoleNorUser_IsBadInputNamingTheFile()
    {
        var file = Write("node.json", """{"node_id": "x"}""");

        var result = await Cli.RunAsync(acme.Server, "what-if", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{file}: neither a role", result.Error);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }
}
