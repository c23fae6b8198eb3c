using System.Diagnostics;

namespace Qbee.Authz.Cli.Tests;

/// <summary>The README's install line works: the tool packs, installs into a tool path, and runs.</summary>
public sealed class ToolPackTests : IDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(4);
    private readonly string _work = Path.Combine(Path.GetTempPath(), "qbee-authz-cli-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    [Fact]
    public async Task PackAndInstall_ToolPath_RunsHelpAndAPolicyTestFile()
    {
        var root = Repository.Root;
        var readme = await File.ReadAllTextAsync(Path.Combine(root, "README.md"));
        Assert.Contains("dotnet pack src/AuthzCli -c Release -o artifacts\n", readme);
        Assert.Contains("dotnet tool install Qbee.Authz.Cli --tool-path ~/.qbee-authz --add-source artifacts\n", readme);
        var packages = Path.Combine(_work, "packages");
        var tools = Path.Combine(_work, "tools");

        // The README's two lines, into temporary folders. --no-build: the test's own build made the tool's output (it
        // references the project), and a rebuild under the running tests would only cost time.
        await RunAsync("dotnet", root, "pack", "src/AuthzCli", "-c", Repository.Configuration, "--no-build", "-o", packages);
        await RunAsync("dotnet", root, "tool", "install", "Qbee.Authz.Cli", "--tool-path", tools, "--add-source", packages);
        var qbeeAuthz = Path.Combine(tools, "qbee-authz");

        var help = await RunAsync(qbeeAuthz, root, "--help");
        Assert.Contains("Usage:", help);
        Assert.Contains("who-can", help);
        var test = await RunAsync(qbeeAuthz, root, "test", "samples/policy-tests/support-team.yaml");
        Assert.Contains("passed", test);
    }

    /// <summary>Runs a process to its end within <see cref="StepTimeout"/>; fails with its output unless it exits 0.</summary>
    private static async Task<string> RunAsync(string file, string directory, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(StepTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} ran past {StepTimeout}");
        }

        var text = await output + await error;
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {process.ExitCode}:\n{text}");
        return text;
    }
}
