using System.Text.RegularExpressions;
using Qbee.Authz.V1;

namespace Qbee.Authz.Cli.Tests;

/// <summary>The README's command-line block, line by line as written, against a server holding the README session's
/// account: the exit code a line's comment ends with (<c>exit N</c>; else 0), <c>&gt; file</c> and <c>&lt; file</c> in a
/// folder of the test's own, <c>import</c> into a second server ("into another store"), <c>audit tail</c> until it
/// follows, then Ctrl-C.</summary>
public sealed partial class ReadmeCommandLineTests : IAsyncLifetime
{
    private const string Device = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    private readonly string _folder = Directory.CreateTempSubdirectory("qbee-authz-readme-").FullName;
    private AuthzServer _server = null!;
    private AuthzServer _otherStore = null!;

    public async Task InitializeAsync()
    {
        _server = await AuthzServer.StartAsync();
        _otherStore = await AuthzServer.StartAsync();
        await CreateSessionAccountAsync(_server.Admin);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _otherStore.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Readme_CommandLineBlock_RunsAsWritten()
    {
        var (lines, supportYaml) = ReadSection();
        await File.WriteAllTextAsync(Path.Combine(_folder, "support.yaml"), supportYaml);
        Assert.True(lines.Count >= 14, $"the block has {lines.Count} qbee-authz lines");

        foreach (var line in lines)
        {
            var (args, input, output, expected) = Parse(line);
            var server = args[0] == "import" ? _otherStore : _server;
            CliResult result;
            if (args is ["audit", "tail", ..])
            {
                result = await TailUntilFollowingAsync([.. args, "--address", server.Address]);
            }
            else
            {
                var stdin = input is null ? string.Empty : await File.ReadAllTextAsync(input);
                result = await Cli.RunAsync([.. args, "--address", server.Address], environment: null, input: stdin);
            }

            Assert.True(expected == result.ExitCode, $"{line}\nexited {result.ExitCode}, not {expected}:\n{result.Out}{result.Error}");
            if (output is not null)
            {
                await File.WriteAllTextAsync(output, result.Out);
            }
        }

        var imported = await _otherStore.Authz.CheckAsync(new CheckRequest
        {
            UserId = "bob", Permission = "remote-access:connect", DeviceId = Device, RemoteAccess = new RemoteAccess { Action = RemoteAccessAction.Console },
        });
        Assert.True(imported.Allowed); // the import line restored the account in the other store
    }

    private static async Task<CliResult> TailUntilFollowingAsync(string[] args)
    {
        var error = new WatchedWriter();
        using var ctrlC = new CancellationTokenSource();
        var tail = Cli.RunAsync(args, environment: null, error: error, cancellationToken: ctrlC.Token);
        await error.WaitForAsync(t => t.Contains("following the audit events", StringComparison.Ordinal), "audit tail following");
        ctrlC.Cancel();
        return await tail;
    }

    /// <summary>A line's arguments ($D and globs expanded, repository paths made absolute), its redirections and exit code.</summary>
    private (string[] Args, string? Input, string? Output, int ExitCode) Parse(string line)
    {
        var comment = line.IndexOf(" #", StringComparison.Ordinal);
        var exit = comment < 0 ? null : ExitCode().Match(line[comment..]);
        var words = (comment < 0 ? line : line[..comment]).Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        string? input = null, output = null;
        var args = new List<string>();
        for (var i = 0; i < words.Count; i++)
        {
            switch (words[i])
            {
                case "<":
                    input = Path.Combine(_folder, words[++i]);
                    break;
                case ">":
                    output = Path.Combine(_folder, words[++i]);
                    break;
                case "$D":
                    args.Add(Device);
                    break;
                case var glob when glob.Contains('*'):
                    var directory = Path.Combine(Repository.Root, Path.GetDirectoryName(glob)!);
                    args.AddRange(Directory.GetFiles(directory, Path.GetFileName(glob)).Order(StringComparer.Ordinal));
                    break;
                case var path when path.StartsWith("samples/", StringComparison.Ordinal):
                    args.Add(Path.Combine(Repository.Root, path));
                    break;
                case var file when file.EndsWith(".yaml", StringComparison.Ordinal) || file.EndsWith(".jsonl", StringComparison.Ordinal):
                    args.Add(Path.Combine(_folder, file));
                    break;
                default:
                    args.Add(words[i]);
                    break;
            }
        }

        return ([.. args], input, output, exit is { Success: true } ? int.Parse(exit.Groups[1].Value) : 0);
    }

    /// <summary>The <c>qbee-authz</c> lines of the section's block that starts with <c>D=</c>, and its YAML block.</summary>
    private static (List<string> Lines, string SupportYaml) ReadSection()
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        var section = readme[readme.IndexOf("## Command line", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 1, StringComparison.Ordinal)];
        var block = section[section.IndexOf("```sh\nD=", StringComparison.Ordinal)..];
        block = block[..block.IndexOf("\n```", 1, StringComparison.Ordinal)];
        var yaml = section[(section.IndexOf("```yaml\n", StringComparison.Ordinal) + "```yaml\n".Length)..];
        yaml = yaml[..yaml.IndexOf("```", StringComparison.Ordinal)];
        return (block.Split('\n').Where(l => l.StartsWith("qbee-authz ", StringComparison.Ordinal)).ToList(), yaml);
    }

    /// <summary>The README's grpcurl session up to its checks: acme, role support, bob and carol holding it, dave
    /// holding nothing, group factory, the production device in it, remote access on.</summary>
    private static async Task CreateSessionAccountAsync(AdminService.AdminServiceClient admin)
    {
        await admin.CreateAccountAsync(new CreateAccountRequest
        {
            AccountId = "acme", Name = "Acme Corp",
            Owner = new User { UserId = "alice", Email = "alice@example.com", FirstName = "Alice", LastName = "Admin" },
        });
        await admin.PutRoleAsync(new PutRoleRequest
        {
            Role = Fleet.Role("acme", "support",
                ("device:read", ["tag:production"]),
                ("remote-access:connect", ["tag:production/console", "tag:production/tunnel(proto=tcp;port=8000-8100;dst=localhost)"])),
        });
        await admin.PutUsersAsync(new PutUsersRequest
        {
            AccountId = "acme",
            Users = { Fleet.User("acme", "bob", "support"), Fleet.User("acme", "carol", "support"), Fleet.User("acme", "dave") },
        });
        await admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group("acme", "factory") });
        await admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device("acme", Device, "factory", "production") });
        await admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = "acme", NodeId = "factory", Setting = RemoteAccessSetting.Enabled });
    }

    [GeneratedRegex(@"exit (\d)\s*$")]
    private static partial Regex ExitCode();
}
