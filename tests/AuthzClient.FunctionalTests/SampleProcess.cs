using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Qbee.Authz.Client.FunctionalTests;

/// <summary>
/// samples/ApiService as its own OS process (its build output, run from its folder as <c>dotnet run</c> would, so its
/// appsettings.json applies), on a free loopback port, pointed at an authorization service. Its log lines are kept.
/// </summary>
public sealed partial class SampleProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly ConcurrentQueue<string> _log = new();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _process;

    private SampleProcess()
    {
    }

    /// <summary>The sample's base address, <c>http://127.0.0.1:port</c>.</summary>
    public string Address { get; private set; } = string.Empty;

    public IReadOnlyCollection<string> LogLines => _log;

    public string LogTail(int lines = 40) => string.Join('\n', _log.TakeLast(lines));

    /// <summary>Starts the sample against <paramref name="authzAddress"/> and waits until it listens (its seeding is done by then).</summary>
    public static async Task<SampleProcess> StartAsync(string authzAddress)
    {
        var sample = new SampleProcess();
        try
        {
            await sample.StartProcessAsync(authzAddress);
        }
        catch
        {
            await sample.DisposeAsync();
            throw;
        }

        return sample;
    }

    /// <summary>Waits (bounded) until a log line contains <paramref name="text"/>: log lines are written in the background.</summary>
    public async Task<string> WaitForLogAsync(string text)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            if (_log.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            if (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"no log line contains '{text}':\n{LogTail()}");
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }

    private async Task StartProcessAsync(string authzAddress)
    {
        var assembly = SampleAssembly();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        start.ArgumentList.Add($"--QbeeAuthz:Address={authzAddress}");
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";

        _process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        _process.OutputDataReceived += (_, e) => Collect(e.Data);
        _process.ErrorDataReceived += (_, e) => Collect(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(StartTimeout);
        var exited = _process.WaitForExitAsync(timeout.Token);
        if (await Task.WhenAny(_listening.Task, exited) != _listening.Task)
        {
            throw new InvalidOperationException($"the sample did not start listening (exit code {(_process.HasExited ? _process.ExitCode : -1)}):\n{LogTail()}");
        }

        Address = await _listening.Task;
    }

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        _log.Enqueue(line);
        if (ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(match.Groups[1].Value);
        }
    }

    /// <summary>The sample's build output, of the configuration these tests were built in (see the project file).</summary>
    private static string SampleAssembly()
    {
        var path = typeof(SampleProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SampleAssembly").Value!;
        path = Path.GetFullPath(path.Replace('\\', Path.DirectorySeparatorChar));
        return File.Exists(path) ? path : throw new FileNotFoundException("The sample is not built: dotnet build Qbee.Authz.sln", path);
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
