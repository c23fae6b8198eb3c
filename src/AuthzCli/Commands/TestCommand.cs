using System.CommandLine;
using Qbee.Authz.Service.PolicyTests;

namespace Qbee.Authz.Cli.Commands;

/// <summary><c>test FILE...</c>: policy test files run offline by the service's own compiler and evaluator; no server.</summary>
internal static class TestCommand
{
    public static Command Create(CliContext context)
    {
        var files = new Argument<string[]>("FILE") { Description = "Policy test files (YAML or JSON; see docs/POLICY-TESTS.md)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("test", "Run policy test files offline: exit code 0 when every assertion holds, 1 when one fails (each reported with its explain text), 2 on a file that cannot be read.");
        command.Arguments.Add(files);
        context.SetAction(command, (result, _) =>
            Task.FromResult(PolicyTestCommand.Run(result.GetValue(files)!, context.Out, context.Console.Error)));
        return command;
    }
}
