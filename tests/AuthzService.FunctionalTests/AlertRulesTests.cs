using System.Diagnostics;

namespace Qbee.Authz.Service.FunctionalTests;

/// <summary>
/// deploy/observability's Prometheus rules, through the real promtool (Debian's prometheus package, which
/// scripts/test.sh installs): they load, and every alert fires, and stays quiet, as its unit tests say.
/// Without promtool these fail: the rules are part of what CI holds true.
/// </summary>
public sealed class AlertRulesTests
{
    [Fact]
    public async Task PromtoolCheckRules_RecordingAndAlertRules_AreValid()
    {
        var (exitCode, output) = await PromtoolAsync("check", "rules", "recording.rules.yml", "alerts.rules.yml");

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS: 6 rules found", output);
        Assert.Contains("SUCCESS: 9 rules found", output);
    }

    [Fact]
    public async Task PromtoolTestRules_AlertUnitTests_Pass()
    {
        var (exitCode, output) = await PromtoolAsync("test", "rules", "alerts.test.yml");

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output);
    }

    [Fact]
    public async Task PromtoolTestRules_AWrongExpectation_Fails()
    {
        // The unit tests can fail: the same file with one expected annotation changed must be refused.
        var directory = Directory.CreateTempSubdirectory("qbee-authz-rules-");
        try
        {
            foreach (var file in Directory.GetFiles(ObservabilityKit.PrometheusDirectory))
            {
                File.Copy(file, Path.Combine(directory.FullName, Path.GetFileName(file)));
            }

            var tests = Path.Combine(directory.FullName, "alerts.test.yml");
            var text = await File.ReadAllTextAsync(tests);
            Assert.Contains("9.944ms", text);
            await File.WriteAllTextAsync(tests, text.Replace("9.944ms", "1ms", StringComparison.Ordinal));

            var (exitCode, output) = await PromtoolInAsync(directory.FullName, "test", "rules", "alerts.test.yml");

            Assert.NotEqual(0, exitCode);
            Assert.Contains("QbeeAuthzCheckLatencyHigh", output);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static Task<(int ExitCode, string Output)> PromtoolAsync(params string[] arguments) =>
        PromtoolInAsync(ObservabilityKit.PrometheusDirectory, arguments);

    private static async Task<(int ExitCode, string Output)> PromtoolInAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("promtool")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"promtool could not be run ({e.Message}): apt-get install -y prometheus (scripts/test.sh installs it when root)", e);
        }

        using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await output + await error);
        }
    }
}
