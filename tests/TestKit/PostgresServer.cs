using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Qbee.Authz.TestKit;

/// <summary>
/// A real PostgreSQL server for the tests: <c>initdb</c> in a temp directory and <c>pg_ctl</c> on a free loopback port,
/// its unix socket in that directory, fsync off (a killed server keeps its commits, a power loss would not) and no
/// persistence beyond the run. Run as the <c>postgres</c> user through <c>runuser</c> when the tests run as root (as CI
/// does: PostgreSQL refuses root), directly otherwise. Fails loudly with the server's log (never skips) when it cannot start; scripts/test.sh installs
/// the <c>postgresql</c> package. <see cref="SharedAsync"/> is one server per test run, a database per test on it
/// (<see cref="CreateDatabaseAsync"/>); a test that stops or restarts the server starts its own.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>Overrides where initdb and pg_ctl are looked for (a bin directory).</summary>
    public const string BinDirectoryVariable = "QBEE_AUTHZ_TEST_PG_BINDIR";

    private const string ServiceUser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartSharedAsync);

    private readonly string _binDirectory;
    private readonly bool _asServiceUser;
    private readonly bool _durable;
    private Process? _watchdog;
    private bool _disposed;

    private PostgresServer(string directory, string binDirectory, bool asServiceUser, bool durable)
    {
        Directory = directory;
        _binDirectory = binDirectory;
        _asServiceUser = asServiceUser;
        _durable = durable;
    }

    /// <summary>The temp directory: the data directory, the unix socket and the server's log.</summary>
    public string Directory { get; }

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    public string LogPath => Path.Combine(Directory, "server.log");

    private string DataDirectory => Path.Combine(Directory, "data");

    /// <summary>The superuser's connection string to <paramref name="database"/> over TCP on loopback (trust: no password).</summary>
    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Port,
            Database = database,
            Username = ServiceUser,
        }.ConnectionString;

    /// <summary>The run's one server, started on first use and stopped when the test process exits.</summary>
    public static Task<PostgresServer> SharedAsync() => Shared.Value;

    /// <summary>
    /// A server of the caller's own (to stop or restart it), empty. <paramref name="durable"/> keeps fsync and full
    /// page writes on, as in production: for a benchmark against SQLite's synchronous=FULL.
    /// </summary>
    public static async Task<PostgresServer> StartAsync(bool durable = false)
    {
        var binDirectory = FindBinDirectory();
        var asServiceUser = Environment.IsPrivilegedProcess;
        var directory = Path.Combine(Path.GetTempPath(), $"authz-pg-{Guid.NewGuid().ToString("N")[..12]}");
        var server = new PostgresServer(directory, binDirectory, asServiceUser, durable);
        try
        {
            await server.InitializeAsync();
            await server.StartOnFreePortAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>A new, empty database on this server; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null)
    {
        name ??= $"authz_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(ConnectionString()))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return ConnectionString(name);
    }

    /// <summary>
    /// A copy of <paramref name="source"/> as <paramref name="copy"/>, file by file (<c>CREATE DATABASE ... TEMPLATE</c>):
    /// as a restore of a backup taken at that moment. Nothing may be connected to the source.
    /// </summary>
    public async Task CopyDatabaseAsync(string source, string copy)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{copy}\" TEMPLATE \"{source}\"", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Drops <paramref name="name"/>, closing whatever connections are still open to it.</summary>
    public async Task DropDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Stops the server at once, as in a crash (no checkpoint: the next start recovers from the WAL).</summary>
    public Task KillAsync() => RunAsync("pg_ctl", "stop", "-D", DataDirectory, "-m", "immediate", "-w", "-t", "30");

    /// <summary>Starts it again on the same port, with the data it had.</summary>
    public Task RestartAsync() => StartProcessAsync();

    /// <summary>The server's log so far, for a failure message.</summary>
    public string ReadLog()
    {
        try
        {
            return File.ReadAllText(LogPath);
        }
        catch (IOException)
        {
            return "(no server log)";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            try
            {
                await KillAsync();
            }
            catch (InvalidOperationException)
            {
                // Already stopped (KillAsync by the test); the watchdog and the directory still go.
            }
        }

        if (_watchdog is { HasExited: false } watchdog)
        {
            watchdog.Kill();
        }

        _watchdog?.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind must not fail the run.
        }
    }

    private static async Task<PostgresServer> StartSharedAsync()
    {
        var server = await StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return server;
    }

    private async Task InitializeAsync()
    {
        // The directory must belong to the user the server runs as; mkdir as that user makes it so.
        if (_asServiceUser)
        {
            await RunRawAsync("runuser", "-u", ServiceUser, "--", "mkdir", "-m", "700", Directory);
        }
        else
        {
            System.IO.Directory.CreateDirectory(Directory);
        }

        StartWatchdog();
        await RunAsync("initdb", "-D", DataDirectory, "-U", ServiceUser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync");
    }

    private async Task StartOnFreePortAsync()
    {
        // The free port may be taken between looking and binding: try another then.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            try
            {
                await StartProcessAsync();
                return;
            }
            catch (InvalidOperationException) when (attempt < 3 && ReadLog().Contains("could not bind", StringComparison.Ordinal))
            {
            }
        }
    }

    private Task StartProcessAsync()
    {
        // fsync off: the OS's page cache outlives a killed server (not a power loss, which tests do not have). Commits
        // stay synchronous, so an acknowledged write survives KillAsync as it would a crash in production.
        string[] settings =
        [
            $"-p {Port}", "-c listen_addresses=127.0.0.1", $"-c unix_socket_directories={Directory}",
            _durable ? "-c fsync=on" : "-c fsync=off -c full_page_writes=off", "-c max_connections=300",
        ];
        return RunAsync("pg_ctl", "start", "-D", DataDirectory, "-l", LogPath, "-w", "-t", "30", "-o", string.Join(' ', settings));
    }

    /// <summary>
    /// Stops the server and deletes the directory if the test process dies without disposing (killed, crashed): a
    /// detached shell that polls the test process, since the postmaster outlives its parent.
    /// </summary>
    private void StartWatchdog()
    {
        var stop = CommandLine("pg_ctl", "stop", "-D", DataDirectory, "-m", "immediate");
        var script = $"exec </dev/null >/dev/null 2>&1; while kill -0 {Environment.ProcessId}; do sleep 1; done; "
            + $"{string.Join(' ', stop.Select(Quote))}; rm -rf {Quote(Directory)}";
        var start = new ProcessStartInfo("sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        _watchdog = Process.Start(start);
    }

    private Task RunAsync(string tool, params string[] arguments) =>
        RunRawAsync(CommandLine(tool, arguments));

    private string[] CommandLine(string tool, params string[] arguments)
    {
        var path = Path.Combine(_binDirectory, tool);
        return _asServiceUser ? ["runuser", "-u", ServiceUser, "--", path, .. arguments] : [path, .. arguments];
    }

    private async Task RunRawAsync(params string[] commandLine)
    {
        var start = new ProcessStartInfo(commandLine[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in commandLine.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{commandLine[0]} did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                $"{commandLine[0]} could not run: install PostgreSQL (scripts/test.sh does; apt-get install -y postgresql)", e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(CommandTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"{string.Join(' ', commandLine)} did not finish in {CommandTimeout.TotalSeconds} s\n{ReadLog()}");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"{string.Join(' ', commandLine)} failed ({process.ExitCode}):\n{await output}{await error}\nserver log:\n{ReadLog()}");
            }
        }
    }

    /// <summary>
    /// The override, else Debian's /usr/lib/postgresql/&lt;newest&gt;/bin (initdb is not on PATH on a clean machine),
    /// else pg_config's, else PATH's.
    /// </summary>
    private static string FindBinDirectory()
    {
        var candidates = new List<string?> { Environment.GetEnvironmentVariable(BinDirectoryVariable) };
        if (System.IO.Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(System.IO.Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var version) ? version : 0)
                .Select(d => Path.Combine(d, "bin")));
        }

        candidates.Add(PgConfigBinDirectory());
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':'));
        return candidates.FirstOrDefault(d => !string.IsNullOrEmpty(d) && File.Exists(Path.Combine(d, "initdb")))
            ?? throw new InvalidOperationException(
                "PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin, pg_config --bindir or PATH): "
                + $"run scripts/test.sh, or apt-get install -y postgresql, or set {BinDirectoryVariable}");
    }

    private static string? PgConfigBinDirectory()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pg_config", "--bindir") { RedirectStandardOutput = true, RedirectStandardError = true });
            var output = process?.StandardOutput.ReadToEnd().Trim();
            process?.WaitForExit();
            return process?.ExitCode == 0 ? output : null;
        }
        catch (Win32Exception)
        {
            return null;
        }
    }

    private static string Quote(string argument) => $"'{argument.Replace("'", "'\\''", StringComparison.Ordinal)}'";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
