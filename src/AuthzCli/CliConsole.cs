namespace Qbee.Authz.Cli;

/// <summary>What a command reads and writes: the process's streams and environment, or a test's.</summary>
internal sealed record CliConsole(TextWriter Out, TextWriter Error, TextReader In, Func<string, string?> Environment)
{
    public static CliConsole System => new(Console.Out, Console.Error, Console.In, global::System.Environment.GetEnvironmentVariable);
}
