using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Qbee.Authz.Service.FunctionalTests;

/// <summary>
/// Keeps the README's HTTP/JSON section true: runs each line of its curl session with the real curl (through bash,
/// as a reader pastes it) against a real server whose HTTP/1.1 listener stands in for 127.0.0.1:50052 and whose gRPC
/// port stands in for 127.0.0.1:50051, and checks every <c># expect:</c> text in what the line printed.
/// </summary>
public sealed partial class ReadmeCurlSessionTests : IAsyncLifetime
{
    private const string HttpUrl = "http://127.0.0.1:50052";
    private const string GrpcUrl = "http://127.0.0.1:50051";
    private AuthzServer _server = null!;
    private string _httpAddress = null!;
    private string _directory = null!;

    public async Task InitializeAsync()
    {
        _httpAddress = $"http://127.0.0.1:{FreePort()}";
        _server = await AuthzServer.StartAsync(new Dictionary<string, string?> { ["Authz:Http:Urls"] = _httpAddress });
        _directory = Directory.CreateTempSubdirectory("qbee-authz-readme-curl-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task ReadmeCurlSession_EveryLineSucceeds_AndPrintsWhatItsCommentExpects()
    {
        var (startLine, lines) = ReadSession();
        Assert.Contains($"--Authz:Http:Urls={HttpUrl}", startLine);
        Assert.True(lines.Count >= 10, $"the README curl session has {lines.Count} lines");

        foreach (var line in lines)
        {
            var command = line.Replace(HttpUrl, _httpAddress, StringComparison.Ordinal).Replace(GrpcUrl, _server.Address.TrimEnd('/'), StringComparison.Ordinal);
            var (exitCode, output, error) = await RunAsync(command);

            // -m N ends an endless stream: curl then exits 28 (timeout), having printed what came.
            var expectedExit = MaxTimePattern().IsMatch(line) ? 28 : 0;
            Assert.True(exitCode == expectedExit, $"{line}\nexit {exitCode}, expected {expectedExit}\n{error}\n{output}");
            foreach (Match expect in ExpectPattern().Matches(line))
            {
                var text = expect.Groups[1].Value.Trim();
                Assert.True(output.Contains(text, StringComparison.Ordinal), $"{line}\nprinted no {text}:\n{output}");
            }
        }
    }

    private async Task<(int ExitCode, string Output, string Error)> RunAsync(string command)
    {
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { "-c", command },
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("bash is needed to replay the README's curl lines", e);
        }

        using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{command}: still running after 30 s");
            }

            var err = await error;
            Assert.False(process.ExitCode == 127, $"curl is not installed (apt-get install curl): {err}");
            return (process.ExitCode, await output, err);
        }
    }

    private static (string StartLine, List<string> Lines) ReadSession()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "README.md")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        var text = File.ReadAllText(Path.Combine(directory.FullName, "README.md"));
        var start = text.IndexOf("<!-- curl-session -->", StringComparison.Ordinal);
        Assert.True(start >= 0, "the README has no curl session marker");
        var before = text[..start];
        var startLine = before[before.LastIndexOf("dotnet run", StringComparison.Ordinal)..].Split('\n')[0];
        var block = text[start..].Split("```")[1];
        return (startLine, block.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("curl ", StringComparison.Ordinal)).ToList());
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"# expect: ((?:(?! # expect: ).)+)")]
    private static partial Regex ExpectPattern();

    [GeneratedRegex(@" -m \d+ ")]
    private static partial Regex MaxTimePattern();
}
