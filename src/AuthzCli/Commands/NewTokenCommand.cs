using System.CommandLine;
using Qbee.Authz.Service.Security;

namespace Qbee.Authz.Cli.Commands;

/// <summary><c>new-token --name NAME --scopes SCOPES</c>: the service's own <c>new-token</c>, offline.</summary>
internal static class NewTokenCommand
{
    public static Command Create(CliContext context)
    {
        var name = new Option<string?>("--name") { Description = "The caller's name (as audit events record it)", HelpName = "NAME" };
        var scopes = new Option<string?>("--scopes") { Description = "check, admin, or check,admin", HelpName = "SCOPES" };
        var command = new Command(TokenCommand.Name, "A new caller token, its SHA-256 and the service settings that admit it (offline; the token is shown once).");
        command.Options.Add(name);
        command.Options.Add(scopes);
        context.SetAction(command, (result, _) =>
        {
            var args = new List<string> { TokenCommand.Name };
            if (result.GetValue(name) is { } given)
            {
                args.AddRange(["--name", given]);
            }

            if (result.GetValue(scopes) is { } scopeList)
            {
                args.AddRange(["--scopes", scopeList]);
            }

            return Task.FromResult(TokenCommand.Run([.. args], context.Out, context.Console.Error));
        });
        return command;
    }
}
