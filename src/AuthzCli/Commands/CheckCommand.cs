using System.CommandLine;
using Qbee.Authz.Cli.Connection;
using Qbee.Authz.Cli.Output;
using Qbee.Authz.V1;

namespace Qbee.Authz.Cli.Commands;

/// <summary><c>check USER PERMISSION [DEVICE]</c>: Check, with the exit code a script can branch on (0 allowed, 1 denied).</summary>
internal static class CheckCommand
{
    public static Command Create(CliContext context)
    {
        var user = new Argument<string>("USER") { Description = "The user id" };
        var permission = new Argument<string>("PERMISSION") { Description = "A permission of the catalogue, e.g. device:read or remote-access:connect" };
        var device = new Argument<string?>("DEVICE") { Description = "A device id (64 lowercase hex); omit for none", Arity = ArgumentArity.ZeroOrOne };
        var remoteAccess = new RemoteAccessOptions();
        var explain = new Option<bool>("--explain") { Description = "Print the whole path of the decision (roles looked at, the resource that matched or why none did)" };
        var minRevision = new Option<ulong>("--min-revision") { Description = "Wait until the answering replica has this revision of the account (as returned by a write)", HelpName = "N" };
        var json = new Option<bool>("--json") { Description = "Print the CheckResponse as JSON" };

        var command = new Command("check", "May USER use PERMISSION (on DEVICE, for an action)? Exit code 0 allowed, 1 denied, 3 an error.");
        command.Arguments.Add(user);
        command.Arguments.Add(permission);
        command.Arguments.Add(device);
        remoteAccess.AddTo(command);
        command.Options.Add(explain);
        command.Options.Add(minRevision);
        command.Options.Add(json);
        context.SetServiceAction(command, async (result, service, cancellationToken) =>
        {
            var request = new CheckRequest
            {
                UserId = result.GetValue(user)!,
                Permission = result.GetValue(permission)!,
                DeviceId = result.GetValue(device) ?? string.Empty,
                RemoteAccess = remoteAccess.Read(result),
                MinRevision = result.GetValue(minRevision),
                Explain = result.GetValue(explain),
            };
            var response = await service.Authz.CheckAsync(request, deadline: ServiceConnection.UnaryDeadline, cancellationToken: cancellationToken);
            if (result.GetValue(json))
            {
                await ProtoJson.WriteLineAsync(context.Out, response);
            }
            else
            {
                await WriteAsync(context.Out, response);
            }

            return response.Allowed ? ExitCodes.Ok : ExitCodes.Denied;
        });
        return command;
    }

    private static async Task WriteAsync(TextWriter output, CheckResponse response)
    {
        if (response.Allowed)
        {
            var grant = response.RoleId.Length > 0 ? $" by role {response.RoleId}, resource {response.Resource}" : string.Empty;
            var restricted = response.Restricted ? " (restricted: not on every device or action)" : string.Empty;
            await output.WriteLineAsync($"ALLOWED {response.Permission}{grant}{restricted} (revision {response.Revision})");
        }
        else
        {
            await output.WriteLineAsync($"DENIED {Reasons.Name(response.Reason)} (revision {response.Revision})");
        }

        if (response.Message.Length > 0)
        {
            await output.WriteLineAsync(response.Message);
        }
    }
}
