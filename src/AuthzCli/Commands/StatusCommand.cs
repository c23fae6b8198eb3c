using System.CommandLine;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Qbee.Authz.Cli.Connection;
using Qbee.Authz.Cli.Output;
using Qbee.Authz.V1;

namespace Qbee.Authz.Cli.Commands;

/// <summary><c>status</c>: GetStatus, readable: components, then each account's revisions, snapshot and size.</summary>
internal static class StatusCommand
{
    public static Command Create(CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "Print the GetStatusResponse as JSON" };
        var command = new Command("status", "The service's health (store, Redis, audit, sync), version, and each account's revision and snapshot.");
        command.Options.Add(json);
        context.SetServiceAction(command, async (result, service, cancellationToken) =>
        {
            var status = await service.Admin.GetStatusAsync(new GetStatusRequest(), deadline: ServiceConnection.UnaryDeadline, cancellationToken: cancellationToken);
            if (result.GetValue(json))
            {
                await ProtoJson.WriteLineAsync(context.Out, status);
            }
            else
            {
                await WriteAsync(context.Out, service.Address, status);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task WriteAsync(TextWriter output, Uri address, GetStatusResponse status)
    {
        var started = status.StartedAt is null ? string.Empty : $", started {status.StartedAt.ToDateTimeOffset():yyyy-MM-dd HH:mm:ss}Z";
        await output.WriteLineAsync($"qbee-authz {status.Version} at {address}{started}");
        var components = new List<string[]>();
        foreach (var (name, component) in new[] { ("store", status.Store), ("redis", status.Redis), ("audit", status.Audit), ("sync", status.Sync) })
        {
            if (component is not null)
            {
                components.Add([name, component.State, component.Detail]);
            }
        }

        await TextTable.WriteAsync(output, components);
        await output.WriteLineAsync(status.Accounts.Count == 1 ? "1 account" : $"{status.Accounts.Count} accounts");
        if (status.Accounts.Count == 0)
        {
            return;
        }

        var rows = new List<string[]> { new[] { "ACCOUNT", "REVISION", "SNAPSHOT", "AGE", "CONFIRMED", "DEVICES", "USERS", "ROLES" } };
        rows.AddRange(status.Accounts.OrderBy(a => a.AccountId, StringComparer.Ordinal).Select(a => new[]
        {
            a.AccountId,
            Number(a.Revision),
            Number(a.SnapshotRevision),
            Age(a.SnapshotAge),
            a.ConfirmedAge is null ? "never" : Age(a.ConfirmedAge) + " ago",
            Number(a.Devices),
            Number(a.Users),
            Number(a.Roles),
        }));
        await TextTable.WriteAsync(output, rows);
    }

    private static string Number(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Age(Duration? duration)
    {
        if (duration is null)
        {
            return "-";
        }

        var age = duration.ToTimeSpan();
        return age.TotalSeconds < 60 ? $"{age.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)}s"
            : age.TotalHours < 1 ? $"{(int)age.TotalMinutes}m{age.Seconds:00}s"
            : $"{(int)age.TotalHours}h{age.Minutes:00}m";
    }
}
