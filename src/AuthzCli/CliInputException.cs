namespace Qbee.Authz.Cli;

/// <summary>Input the command cannot use (a file, a line of it, a flag's value): its message is the one line printed.</summary>
internal sealed class CliInputException(string message) : Exception(message);
