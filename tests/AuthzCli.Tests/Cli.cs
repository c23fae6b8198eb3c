namespace Qbee.Authz.Cli.Tests;

/// <summary>What one run of the CLI did: its exit code and everything it wrote.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error)
{
    public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>Runs <c>qbee-authz</c> through its entry point in process, with captured output and a test's environment
/// (never the machine's: a QBEE_AUTHZ_TOKEN in the developer's shell must not change a test).</summary>
internal static class Cli
{
    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, environment: null);

    /// <summary>Against this server: <c>--address</c> appended.</summary>
    public static Task<CliResult> RunAsync(AuthzServer server, params string[] args) => RunAsync([.. args, "--address", server.Address], environment: null);

    public static async Task<CliResult> RunAsync(
        string[] args, IReadOnlyDictionary<string, string>? environment, string input = "", TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        var captured = output ?? new StringWriter();
        error ??= new StringWriter();
        var console = new CliConsole(captured, error, new StringReader(input), name => environment?.GetValueOrDefault(name));
        var exitCode = await QbeeAuthzCli.RunAsync(args, console, handleTermination: false, cancellationToken);
        return new CliResult(exitCode, captured.ToString()!, error.ToString()!);
    }
}
