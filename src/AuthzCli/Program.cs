namespace Qbee.Authz.Cli;

internal static class Program
{
    // Ctrl-C cancels the running command (System.CommandLine's process-termination handling): `audit tail` ends cleanly.
    private static Task<int> Main(string[] args) => QbeeAuthzCli.RunAsync(args, CliConsole.System, handleTermination: true, CancellationToken.None);
}
