using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Qbee.Authz.TestKit;

namespace Qbee.Authz.Harness;

/// <summary>
/// <c>--startup [runs 5] [accounts 200] [published folder]</c> (issue 18: SERVING with Preload=None in ≤ 1 s): start-up
/// of the service as its own process, Preload=None, with a real redis-server and without, on a store of
/// <c>accounts</c> small accounts. Alternates the build output (JIT only, as the tests run it) with the service
/// published as deploy/Dockerfile publishes it (for this machine's architecture: ReadyToRun), published here unless a
/// folder is given. Per variant, the medians of: process launched → health SERVING at the client, the process's CPU
/// time by then, and the phases of its "Serving after start-up" line.
/// </summary>
internal static partial class StartupBenchmark
{
    public static async Task<int> RunAsync(int runs, int accounts, string? published)
    {
        Console.WriteLine($"start-up benchmark: {runs} runs per variant, Preload=None, {accounts:N0} accounts; "
            + $"{Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        var data = Path.Combine(Path.GetTempPath(), "qbee-authz-startup", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var publishedFolder = published ?? Path.Combine(data, "published");
        await using var redis = await RedisServer.StartAsync();
        try
        {
            if (published is null && !await PublishAsync(publishedFolder))
            {
                return 1;
            }

            await SeedAsync(data, accounts);
            (string Name, string? Assembly)[] builds = [("build output (JIT)", null), ("published (ReadyToRun)", Path.Combine(publishedFolder, "Qbee.Authz.Service.dll"))];
            (string Name, RedisServer? Redis)[] stores = [("with Redis", redis), ("without Redis", null)];
            var samples = new Dictionary<string, List<Sample>>(StringComparer.Ordinal);
            for (var run = 0; run < runs; run++)
            {
                foreach (var (storeName, withRedis) in stores)
                {
                    foreach (var (buildName, assembly) in builds)
                    {
                        var variant = $"{buildName}, {storeName}";
                        var sample = await StartOnceAsync(Settings(withRedis), data, assembly);
                        Console.WriteLine($"  run {run + 1} {variant}: {sample}");
                        (samples.TryGetValue(variant, out var list) ? list : samples[variant] = []).Add(sample);
                    }
                }
            }

            Console.WriteLine("medians (launched → SERVING at the client; CPU by then; the service's own phases):");
            foreach (var (variant, list) in samples)
            {
                Console.WriteLine($"  {variant}: {Median(list)}");
            }

            foreach (var (storeName, _) in stores)
            {
                var jit = Median(samples[$"{builds[0].Name}, {storeName}"]);
                var r2r = Median(samples[$"{builds[1].Name}, {storeName}"]);
                Console.WriteLine($"  {storeName}: published/build SERVING {r2r.ServingMs / jit.ServingMs:F2}x, CPU {r2r.CpuMs / jit.CpuMs:F2}x");
            }
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }

        return 0;
    }

    private static async Task<Sample> StartOnceAsync(Dictionary<string, string> settings, string data, string? assembly)
    {
        var watch = Stopwatch.StartNew();
        await using var service = await ServiceProcess.StartAsync(settings, data, assembly);
        var serving = watch.Elapsed.TotalMilliseconds;
        var cpu = service.TotalProcessorTime.TotalMilliseconds;
        var line = service.LogLines.Select(l => StartedLine().Match(l)).FirstOrDefault(m => m.Success)
            ?? throw new InvalidOperationException($"no start-up line in the log:\n{service.LogTail()}");
        await service.StopAsync();
        double Group(string name) => double.Parse(line.Groups[name].Value, CultureInfo.InvariantCulture);
        return new Sample(serving, cpu, Group("total"), Group("host"), Group("store"), Group("snapshots"), Group("jit"));
    }

    /// <summary>The service published as deploy/Dockerfile does, for this machine's architecture.</summary>
    private static async Task<bool> PublishAsync(string folder)
    {
        var project = Path.Combine(RepositoryRoot(), "src", "AuthzService", "AuthzService.csproj");
        var arch = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "x64";
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["publish", project, "-c", "Release", "-a", arch, "--self-contained", "false", "-o", folder, "-p:UseAppHost=false"])
        {
            start.ArgumentList.Add(arg);
        }

        Console.WriteLine($"publishing: dotnet {string.Join(' ', start.ArgumentList)}");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            Console.Error.WriteLine($"publish failed ({process.ExitCode}):\n{await output}\n{await errors}");
            return false;
        }

        return true;
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Qbee.Authz.sln")))
            {
                return folder.FullName;
            }
        }

        throw new DirectoryNotFoundException("Qbee.Authz.sln not found above the harness: pass the published folder");
    }

    /// <summary>Small accounts (100 devices, 3 users each) through ImportAccount: what the user index loads at start.</summary>
    private static async Task SeedAsync(string data, int accounts)
    {
        var watch = Stopwatch.StartNew();
        await using var seeder = await ServiceProcess.StartAsync(Settings(null), data);
        for (var i = 0; i < accounts; i++)
        {
            await ScaleBenchmark.ImportAsync(seeder, ScaleBenchmark.Build(i, 100, i * 100));
        }

        await seeder.StopAsync();
        Console.WriteLine($"seeded {accounts:N0} accounts of 100 devices in {watch.Elapsed.TotalSeconds:F1} s");
    }

    private static Dictionary<string, string> Settings(RedisServer? redis)
    {
        var settings = new Dictionary<string, string> { ["Authz:Snapshots:Preload"] = "None", ["Authz:Snapshots:MemoryBudget"] = "268435456" };
        if (redis is not null)
        {
            settings["Authz:Redis:Configuration"] = redis.Configuration;
        }

        return settings;
    }

    private static Sample Median(List<Sample> samples)
    {
        static double Of(IEnumerable<double> values) => Percentiles.Median(values.ToArray());
        return new Sample(Of(samples.Select(s => s.ServingMs)), Of(samples.Select(s => s.CpuMs)), Of(samples.Select(s => s.LoggedMs)),
            Of(samples.Select(s => s.HostMs)), Of(samples.Select(s => s.StoreMs)), Of(samples.Select(s => s.SnapshotsMs)), Of(samples.Select(s => s.JitMethods)));
    }

    [GeneratedRegex(@"Serving after start-up in (?<total>[\d.]+) ms \(host (?<host>[\d.]+) ms, store and Redis (?<store>[\d.]+) ms, snapshots (?<snapshots>[\d.]+) ms; (?<jit>\d+) methods JIT-compiled\)")]
    private static partial Regex StartedLine();

    private sealed record Sample(double ServingMs, double CpuMs, double LoggedMs, double HostMs, double StoreMs, double SnapshotsMs, double JitMethods)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"SERVING {ServingMs:F0} ms, CPU {CpuMs:F0} ms; logged {LoggedMs:F0} ms = host {HostMs:F0} + store/Redis {StoreMs:F0} + snapshots {SnapshotsMs:F0}; {JitMethods:F0} methods JIT-compiled");
    }
}
