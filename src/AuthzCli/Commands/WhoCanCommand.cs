using System.CommandLine;
using Qbee.Authz.Cli.Connection;
using Qbee.Authz.Cli.Output;
using Qbee.Authz.V1;

namespace Qbee.Authz.Cli.Commands;

/// <summary><c>who-can DEVICE PERMISSION</c> (or <c>--account A --node GROUP PERMISSION</c>): ListDeviceUsers, every page.</summary>
internal static class WhoCanCommand
{
    public static Command Create(CliContext context)
    {
        var target = new Argument<string[]>("DEVICE PERMISSION")
        {
            Description = "The device id and the permission; with --node, the permission alone",
            Arity = new ArgumentArity(1, 2),
        };
        var remoteAccess = new RemoteAccessOptions();
        var account = new Option<string?>("--account") { Description = "The account of --node (with a DEVICE: optional, it must hold the device)", HelpName = "ACCOUNT" };
        var node = new Option<string?>("--node") { Description = "Instead of a device: who may reach every device under this group", HelpName = "GROUP" };
        var pageSize = new Option<int>("--page-size") { Description = "Users per call (1..1000; the service's default when omitted); every page is fetched", HelpName = "N" };
        var minRevision = new Option<ulong>("--min-revision") { Description = "Wait until the answering replica has this revision of the account", HelpName = "N" };
        var json = new Option<bool>("--json") { Description = "Print every page as one ListDeviceUsersResponse in JSON" };

        var command = new Command("who-can", "Who may use PERMISSION on DEVICE (or under --node GROUP), each with the role and resource that grants it.");
        command.Arguments.Add(target);
        remoteAccess.AddTo(command);
        command.Options.Add(account);
        command.Options.Add(node);
        command.Options.Add(pageSize);
        command.Options.Add(minRevision);
        command.Options.Add(json);
        command.Validators.Add(result =>
        {
            var values = result.GetValue(target) ?? [];
            var byNode = result.GetValue(node) is not null;
            if (byNode && values.Length != 1)
            {
                result.AddError("with --node give the PERMISSION alone: who-can --account ACCOUNT --node GROUP PERMISSION");
            }
            else if (!byNode && values.Length != 2)
            {
                result.AddError("give DEVICE and PERMISSION (or --account ACCOUNT --node GROUP and PERMISSION)");
            }
            else if (byNode && result.GetValue(account) is null)
            {
                result.AddError("--node needs --account");
            }
        });
        context.SetServiceAction(command, async (result, service, cancellationToken) =>
        {
            var values = result.GetValue(target)!;
            var request = new ListDeviceUsersRequest
            {
                AccountId = result.GetValue(account) ?? string.Empty,
                NodeId = result.GetValue(node) ?? string.Empty,
                DeviceId = values.Length == 2 ? values[0] : string.Empty,
                Permission = values[^1],
                RemoteAccess = remoteAccess.Read(result),
                PageSize = result.GetValue(pageSize),
                MinRevision = result.GetValue(minRevision),
            };
            var all = await ListAllAsync(service, request, cancellationToken);
            if (result.GetValue(json))
            {
                await ProtoJson.WriteLineAsync(context.Out, all);
            }
            else
            {
                await WriteAsync(context.Out, request, all);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Every page, as one response: the users in the service's order, the revision the first page pinned.</summary>
    private static async Task<ListDeviceUsersResponse> ListAllAsync(ServiceConnection service, ListDeviceUsersRequest request, CancellationToken cancellationToken)
    {
        ListDeviceUsersResponse? all = null;
        do
        {
            var page = await service.Authz.ListDeviceUsersAsync(request, deadline: ServiceConnection.UnaryDeadline, cancellationToken: cancellationToken);
            if (all is null)
            {
                all = page.Clone();
            }
            else
            {
                all.Users.AddRange(page.Users);
            }

            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);

        all.NextPageToken = string.Empty;
        return all;
    }

    private static async Task WriteAsync(TextWriter output, ListDeviceUsersRequest request, ListDeviceUsersResponse response)
    {
        var action = RemoteAccessOptions.Describe(request.RemoteAccess);
        var what = action.Length > 0 ? $"{request.Permission} ({action})" : request.Permission;
        var where = request.NodeId.Length > 0 ? $"every device under {request.NodeId} of {request.AccountId}" : request.DeviceId;
        if (response.Reason is not DecisionReason.Granted and not DecisionReason.Unspecified)
        {
            await output.WriteLineAsync($"nobody may use {what} on {where}: {Reasons.Name(response.Reason)} (revision {response.Revision})");
        }
        else
        {
            var count = response.Users.Count == 1 ? "1 user" : $"{response.Users.Count} users";
            await output.WriteLineAsync($"{count} may use {what} on {where} (revision {response.Revision})");
            var rows = response.Users.Select(u => new[] { u.UserId, u.Email, u.RoleId, u.Resource + (u.Restricted ? "  (restricted: not every action)" : string.Empty) }).ToList();
            if (rows.Count > 0)
            {
                rows.Insert(0, ["USER", "EMAIL", "ROLE", "RESOURCE"]);
                await TextTable.WriteAsync(output, rows);
            }
        }

        if (response.Message.Length > 0)
        {
            await output.WriteLineAsync(response.Message);
        }
    }
}
