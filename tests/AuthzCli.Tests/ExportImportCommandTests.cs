namespace Qbee.Authz.Cli.Tests;

public sealed class ExportImportCommandTests(AcmeServer acme) : IClassFixture<AcmeServer>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("qbee-authz-export-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task ExportThenImport_IntoAnotherStore_AnswersTheSame()
    {
        var export = await Cli.RunAsync(acme.Server, "export", "acme");
        Assert.Equal(0, export.ExitCode);
        var records = export.OutLines.Select(Output.ProtoJson.Parser.Parse<V1.AccountRecord>).ToList();
        Assert.Equal("acme", records[0].Account.AccountId);
        Assert.Equal(acme.Revision, records[0].Account.Revision);
        Assert.Equal(V1.AccountRecord.RecordOneofCase.End, records[^1].RecordCase);

        await using var target = await AuthzServer.StartAsync();
        var import = await Cli.RunAsync(["import", "--address", target.Address], environment: null, input: export.Out);

        Assert.Equal(0, import.ExitCode);
        Assert.Equal("imported acme at revision 1: 2 roles, 4 users, 4 nodes, 1 remote-access settings", import.Out.Trim());
        foreach (var (user, expected) in new[] { ("acme-bob", 0), ("acme-dave", 1) })
        {
            var before = await Cli.RunAsync(acme.Server, "check", user, "remote-access:connect", Acme.Device, "--console");
            var after = await Cli.RunAsync(target, "check", user, "remote-access:connect", Acme.Device, "--console");
            Assert.Equal(expected, before.ExitCode);
            Assert.Equal(before.OutLines[0].Split(" (revision")[0], after.OutLines[0].Split(" (revision")[0]);
        }
    }

    [Fact]
    public async Task Import_AccountThatExists_IsAlreadyExistsUnlessReplace()
    {
        await Acme.CreateAsync(acme.Server, "imp", Fleet.DeviceId(7));
        var export = await Cli.RunAsync(acme.Server, "export", "imp");

        var refused = await Cli.RunAsync(["import", "--address", acme.Server.Address], environment: null, input: export.Out);
        var replaced = await Cli.RunAsync(["import", "--replace", "--json", "--address", acme.Server.Address], environment: null, input: export.Out);

        Assert.Equal(3, refused.ExitCode);
        Assert.StartsWith("qbee-authz: ALREADY_EXISTS: ", refused.Error);
        Assert.Equal(0, replaced.ExitCode);
        var response = Output.ProtoJson.Parser.Parse<V1.ImportAccountResponse>(replaced.Out.Trim());
        Assert.Equal(7UL, response.Revision); // the six writes of Acme.CreateAsync, then the replace
    }

    [Fact]
    public async Task ExportAll_ImportedElsewhere_RestoresEveryAccount()
    {
        await using var source = await AuthzServer.StartAsync();
        await Acme.CreateAsync(source, "one", Fleet.DeviceId(11));
        await Acme.CreateAsync(source, "two", Fleet.DeviceId(12));
        var file = Path.Combine(_folder, "backup.jsonl");
        var export = await Cli.RunAsync(source, "export", "--all");
        await File.WriteAllTextAsync(file, export.Out);

        await using var target = await AuthzServer.StartAsync();
        var import = await Cli.RunAsync(target, "import", file);

        Assert.Equal(0, import.ExitCode);
        Assert.Equal(["imported one at revision 1", "imported two at revision 1"], import.OutLines.Select(l => l.Split(':')[0]));
        var status = await target.Admin.GetStatusAsync(new V1.GetStatusRequest());
        Assert.Equal(["one", "two"], status.Accounts.Select(a => a.AccountId).Order());
    }

    [Fact]
    public async Task Import_LineThatIsNotARecord_IsBadInputNamingTheLine()
    {
        var result = await Cli.RunAsync(["import", "--address", acme.Server.Address], environment: null, input: "\n{\"account\":{\"accountId\":\"x\"}}\nnot json\n");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("qbee-authz: stdin:3: not JSON", result.Error);
    }

    [Fact]
    public async Task Import_FirstRecordNotAnAccount_IsBadInput()
    {
        var result = await Cli.RunAsync(["import", "--address", acme.Server.Address], environment: null, input: "{\"role\":{\"roleId\":\"x\"}}\n");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("stdin:1: the first record must be an account", result.Error);
    }

    [Fact]
    public async Task Export_UnknownAccount_IsNotFound()
    {
        var result = await Cli.RunAsync(acme.Server, "export", "nobody");

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("qbee-authz: NOT_FOUND: ", result.Error);
    }

    [Fact]
    public async Task ExportAsTest_ThenTest_TheFileHoldsOffline()
    {
        var export = await Cli.RunAsync(acme.Server, "export", "acme", "--as-test");
        Assert.Equal(0, export.ExitCode);
        var file = Path.Combine(_folder, "acme.yaml");
        await File.WriteAllTextAsync(file, export.Out);

        var test = await Cli.RunAsync("test", file);

        Assert.Equal(0, test.ExitCode);
        Assert.StartsWith($"# Policy tests for account acme (revision {acme.Revision})", export.Out);
        Assert.Contains("tag:production/tunnel(proto=tcp;port=8000-8100;dst=localhost)", export.Out);
    }
}
