using System.CommandLine;
using System.CommandLine.Help;
using Qbee.Authz.Cli.Commands;
using Qbee.Authz.Cli.Connection;

namespace Qbee.Authz.Cli;

/// <summary>The <c>qbee-authz</c> command tree and its one entry point (the process's, and the tests').</summary>
internal static class QbeeAuthzCli
{
    public const string Name = "qbee-authz";

    public static async Task<int> RunAsync(string[] args, CliConsole console, bool handleTermination, CancellationToken cancellationToken)
    {
        var root = Build(console);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is not HelpAction)
        {
            foreach (var message in parsed.Errors.Select(e => e.Message).Distinct())
            {
                await console.Error.WriteLineAsync($"{Name}: {message}");
            }

            var command = parsed.CommandResult.Command == root ? Name : $"{Name} {string.Join(' ', CommandPath(parsed))}";
            await console.Error.WriteLineAsync($"see '{command} --help'");
            return ExitCodes.BadInput;
        }

        var configuration = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            ProcessTerminationTimeout = handleTermination ? TimeSpan.FromSeconds(2) : null,
        };
        return await parsed.InvokeAsync(configuration, cancellationToken);
    }

    private static Command Build(CliConsole console)
    {
        var root = new Command(Name, "The command line of the Qbee.Authz service: ask it, change it by dry run, back it up, test policies offline.");
        root.Options.Add(new HelpOption());
        root.Options.Add(new VersionOption());
        var connection = new ConnectionOptions();
        connection.AddTo(root);
        var context = new CliContext(console, connection);
        root.Subcommands.Add(CheckCommand.Create(context));
        root.Subcommands.Add(WhoCanCommand.Create(context));
        root.Subcommands.Add(WhatIfCommand.Create(context));
        root.Subcommands.Add(ExportCommand.Create(context));
        root.Subcommands.Add(ImportCommand.Create(context));
        root.Subcommands.Add(TestCommand.Create(context));
        root.Subcommands.Add(StatusCommand.Create(context));
        root.Subcommands.Add(AuditCommand.Create(context));
        root.Subcommands.Add(NewTokenCommand.Create(context));
        return root;
    }

    private static IEnumerable<string> CommandPath(ParseResult parsed)
    {
        var names = new Stack<string>();
        for (var result = parsed.CommandResult; result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
        {
            names.Push(result.Command.Name);
        }

        return names;
    }
}
