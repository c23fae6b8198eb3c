using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Qbee.Authz.V1;

namespace Qbee.Authz.TestKit;

/// <summary>
/// The real service as a separate OS process (<c>dotnet Qbee.Authz.Service.dll</c>, the build output), on a free
/// loopback port, with its own data folder: what a crash, a kill or a broken disk does to it is what it does in
/// production. Restartable on the same files; its log lines are kept for assertions.
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, string> _settings;
    private readonly bool _ownsDataDirectory;
    private readonly string _serviceAssembly;
    private readonly ConcurrentQueue<string> _log = new();
    private Process? _process;
    private TaskCompletionSource<string> _listening = NewListeningSignal();

    private ServiceProcess(string dataDirectory, bool ownsDataDirectory, IReadOnlyDictionary<string, string> settings, string serviceAssembly)
    {
        DataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
        _serviceAssembly = serviceAssembly;
        _settings = new Dictionary<string, string>(settings, StringComparer.Ordinal);
    }

    /// <summary>The folder holding <c>authz.db</c>; the process's working directory.</summary>
    public string DataDirectory { get; }

    public string DatabasePath => Path.Combine(DataDirectory, "authz.db");

    public string Address { get; private set; } = string.Empty;

    public GrpcChannel Channel { get; private set; } = null!;

    public AdminService.AdminServiceClient Admin { get; private set; } = null!;

    public AuthorizationService.AuthorizationServiceClient Authz { get; private set; } = null!;

    public Health.HealthClient Health { get; private set; } = null!;

    /// <summary>Every line the process wrote to stdout and stderr, over all its runs.</summary>
    public IReadOnlyCollection<string> LogLines => _log;

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The process's working set now (0 when not running): what a memory budget is held to.</summary>
    public long WorkingSet64
    {
        get
        {
            if (_process is not { HasExited: false } process)
            {
                return 0;
            }

            process.Refresh();
            return process.WorkingSet64;
        }
    }

    /// <summary>The CPU time the process has used so far (user and system; zero when not running).</summary>
    public TimeSpan TotalProcessorTime
    {
        get
        {
            if (_process is not { HasExited: false } process)
            {
                return TimeSpan.Zero;
            }

            process.Refresh();
            return process.TotalProcessorTime;
        }
    }

    /// <summary>
    /// Starts the service and waits until its health says SERVING. <paramref name="settings"/> are configuration
    /// keys (<c>Authz:Redis:Configuration</c>), passed as environment variables. Without a data folder, a fresh
    /// temporary one is used and deleted at the end; a given one is kept (two processes may share it).
    /// <paramref name="serviceAssembly"/>: another build of the service (a published one) instead of the build output.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(
        IReadOnlyDictionary<string, string>? settings = null, string? dataDirectory = null, string? serviceAssembly = null)
    {
        var owns = dataDirectory is null;
        dataDirectory ??= Path.Combine(Path.GetTempPath(), "qbee-authz-faults", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        var service = new ServiceProcess(dataDirectory, owns, settings ?? new Dictionary<string, string>(), serviceAssembly ?? BuildOutput());
        try
        {
            await service.StartProcessAsync();
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }

        return service;
    }

    /// <summary>Starts it again on the same data folder and settings (a new port); <paramref name="changes"/> override settings.</summary>
    public Task RestartAsync(IReadOnlyDictionary<string, string>? changes = null)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("the service is still running: Kill or Stop it first");
        }

        foreach (var (key, value) in changes ?? new Dictionary<string, string>())
        {
            _settings[key] = value;
        }

        return StartProcessAsync();
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        DisposeClient();
    }

    /// <summary>SIGTERM, as Kubernetes stops a pod: the host shuts down gracefully. Returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        var process = _process ?? throw new InvalidOperationException("the service was never started");
        if (!process.HasExited)
        {
            if (SendSignal(process.Id, SigTerm) != 0)
            {
                throw new Win32Exception(Marshal.GetLastWin32Error(), "kill(SIGTERM) failed");
            }

            using var timeout = new CancellationTokenSource(StopTimeout);
            await process.WaitForExitAsync(timeout.Token);
        }

        DisposeClient();
        return process.ExitCode;
    }

    /// <summary>Polls the health of <paramref name="service"/> ("" for the whole server) until it is <paramref name="expected"/>.</summary>
    public async Task WaitForHealthAsync(HealthCheckResponse.Types.ServingStatus expected, string service = "", TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? StartTimeout);
        var last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            if (_process is not { HasExited: false })
            {
                throw new InvalidOperationException($"the service exited ({_process?.ExitCode}) while waiting for {expected}:\n{LogTail()}");
            }

            try
            {
                var status = (await Health.CheckAsync(new HealthCheckRequest { Service = service }, deadline: DateTime.UtcNow.AddSeconds(2))).Status;
                if (status == expected)
                {
                    return;
                }

                last = status.ToString();
            }
            catch (RpcException e)
            {
                last = e.Status.ToString();
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"health of '{service}' stayed {last}, not {expected}:\n{LogTail()}");
    }

    /// <summary>The last lines of the log, for failure messages.</summary>
    public string LogTail(int lines = 40) => string.Join('\n', _log.TakeLast(lines));

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        _process = null;
        if (_ownsDataDirectory)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }

    private async Task StartProcessAsync()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = DataDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(_serviceAssembly);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        start.Environment["Authz__Store__ConnectionString"] = $"Data Source={DatabasePath}";
        start.Environment["Logging__LogLevel__Default"] = "Information";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        foreach (var (key, value) in _settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        _listening = NewListeningSignal();
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        _process?.Dispose();
        _process = process;
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(StartTimeout);
        var exited = process.WaitForExitAsync(timeout.Token);
        var first = await Task.WhenAny(_listening.Task, exited);
        if (first != _listening.Task)
        {
            throw new InvalidOperationException($"the service did not start listening (exit code {(process.HasExited ? process.ExitCode : -1)}):\n{LogTail()}");
        }

        Address = await _listening.Task;
        Channel = GrpcChannel.ForAddress(Address);
        Admin = new AdminService.AdminServiceClient(Channel);
        Authz = new AuthorizationService.AuthorizationServiceClient(Channel);
        Health = new Health.HealthClient(Channel);
        await WaitForHealthAsync(HealthCheckResponse.Types.ServingStatus.Serving);
    }

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        _log.Enqueue(line);
        var match = ListeningLine().Match(line);
        if (match.Success)
        {
            _listening.TrySetResult(match.Groups[1].Value);
        }
    }

    private void DisposeClient()
    {
        Channel?.Dispose();
    }

    private static TaskCompletionSource<string> NewListeningSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The service's build output, of the configuration these tests were built in (see the project file).</summary>
    private static string BuildOutput()
    {
        var path = typeof(ServiceProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "ServiceAssembly").Value!;
        path = Path.GetFullPath(path.Replace('\\', Path.DirectorySeparatorChar));
        return File.Exists(path) ? path : throw new FileNotFoundException("The service is not built: dotnet build Qbee.Authz.sln", path);
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
