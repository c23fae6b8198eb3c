using System.Diagnostics;
using System.Text.RegularExpressions;
using Qbee.Authz.Samples.ApiService;
using Qbee.Authz.V1;

namespace Qbee.Authz.Client.FunctionalTests;

/// <summary>
/// Keeps the README's sample session true: the sample as its own process (it seeds its account through the admin API
/// at start) beside the real service, and every curl line of the README's <c>sample-session</c> block run with the
/// real curl, its status and body held to the line's <c># expect:</c> comment.
/// </summary>
public sealed partial class SampleSessionTests : IAsyncLifetime
{
    private AuthzServer _server = null!;

    public async Task InitializeAsync() => _server = await AuthzServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ReadmeSampleSession_EveryCurlLine_AnswersAsItsCommentSays()
    {
        await using var sample = await SampleProcess.StartAsync(_server.Address);
        var (variables, lines) = ReadSession();
        Assert.True(lines.Count >= 8, $"the README's sample session has {lines.Count} curl lines");

        foreach (var line in lines)
        {
            var expect = ExpectPattern().Match(line);
            Assert.True(expect.Success, $"no '# expect: STATUS ...' on: {line}");
            var (status, body) = await CurlAsync(variables, line[..expect.Index], sample.Address);

            Assert.True(expect.Groups[1].Value == status, $"{line}\nanswered {status}: {body}");
            foreach (var token in expect.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var absent = token.StartsWith('!');
                Assert.True(body.Contains(token.TrimStart('!'), StringComparison.Ordinal) != absent, $"{line}\nanswered {status}: {body}");
            }
        }

        // The deny of Sam's device 2 is logged with the service's reason.
        var denied = await sample.WaitForLogAsync($"Denied device:read on {DeviceInventory.Device2} to sam");
        Assert.Contains("DeviceOutOfScope", denied);
    }

    [Fact]
    public async Task Sample_SecondStart_WritesNothingAndAnswersTheSame()
    {
        await using (var first = await SampleProcess.StartAsync(_server.Address))
        {
            Assert.Contains("writes", await first.WaitForLogAsync($"Sample account {SampleAccount.Id} seeded"));
        }

        var seeded = await RevisionAsync();

        await using var second = await SampleProcess.StartAsync(_server.Address);

        await second.WaitForLogAsync($"Sample account {SampleAccount.Id} at {_server.Uri} is up to date");
        Assert.Equal(seeded, await RevisionAsync());
        Assert.DoesNotContain(second.LogLines, l => l.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Contains("exception", StringComparison.OrdinalIgnoreCase));
        var (status, body) = await CurlAsync([], $"curl -s -H 'X-Demo-User: sam' http://127.0.0.1:5080/devices/{DeviceInventory.Device1}", second.Address);
        Assert.Equal("200", status);
        Assert.Contains("press-01", body);
    }

    [Fact]
    public async Task Sample_AccountChangedSinceItsSeeding_IsRepairedAtTheNextStart()
    {
        await using (await SampleProcess.StartAsync(_server.Address))
        {
        }

        await _server.Admin.DeleteUserAsync(new DeleteUserRequest { AccountId = SampleAccount.Id, UserId = "sam" });

        await using var again = await SampleProcess.StartAsync(_server.Address);

        Assert.Contains("1 writes", await again.WaitForLogAsync($"Sample account {SampleAccount.Id} seeded"));
        var users = await _server.Admin.ListUsersAsync(new ListUsersRequest { AccountId = SampleAccount.Id });
        Assert.Contains(users.Users, u => u.UserId == "sam" && u.RoleIds.Contains("support"));
    }

    private async Task<ulong> RevisionAsync()
    {
        var status = await _server.Admin.GetStatusAsync(new GetStatusRequest());
        return status.Accounts.Single(a => a.AccountId == SampleAccount.Id).Revision;
    }

    /// <summary>Runs one README line with bash and the real curl, at the sample's address instead of the README's port.</summary>
    private static async Task<(string Status, string Body)> CurlAsync(IReadOnlyList<string> variables, string line, string sampleAddress)
    {
        var command = line.Trim().Replace("http://127.0.0.1:5080", sampleAddress, StringComparison.Ordinal);
        Assert.StartsWith("curl ", command);
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(string.Join('\n', [.. variables, "command -v curl >/dev/null || { echo 'curl is missing: apt-get install -y curl (scripts/test.sh installs it)' >&2; exit 127; }", command + " -w '\\n%{http_code}'"]));

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{command}\nexit code {process.ExitCode}: {await error}");

        var text = await output;
        var newline = text.LastIndexOf('\n');
        return (text[(newline + 1)..], text[..Math.Max(newline, 0)]);
    }

    /// <summary>The README's sample-session block: its variable lines and its curl lines.</summary>
    private static (IReadOnlyList<string> Variables, IReadOnlyList<string> Lines) ReadSession()
    {
        var readme = File.ReadAllText(Path.Combine(FindRoot(), "README.md"));
        var marker = readme.IndexOf("<!-- sample-session -->", StringComparison.Ordinal);
        Assert.True(marker >= 0, "the README has no <!-- sample-session --> block");
        var start = readme.IndexOf("```sh\n", marker, StringComparison.Ordinal) + "```sh\n".Length;
        var block = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return ([.. block.Where(l => VariablePattern().IsMatch(l))], [.. block.Where(l => l.StartsWith("curl ", StringComparison.Ordinal))]);
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Qbee.Authz.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Qbee.Authz.sln not found above the test's folder.");
    }

    [GeneratedRegex(@"\s+# expect: (\d{3})(.*)$")]
    private static partial Regex ExpectPattern();

    [GeneratedRegex("^[A-Z][A-Z0-9]*=[0-9a-f]+$")]
    private static partial Regex VariablePattern();
}
