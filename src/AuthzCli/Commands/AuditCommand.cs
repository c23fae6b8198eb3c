using System.CommandLine;
using Grpc.Core;
using Qbee.Authz.Cli.Connection;
using Qbee.Authz.Cli.Output;
using Qbee.Authz.V1;

namespace Qbee.Authz.Cli.Commands;

/// <summary><c>audit tail</c>: follows WatchAuditEvents, from after the newest event (or <c>--after ID</c>), until Ctrl-C.</summary>
internal static class AuditCommand
{
    public static Command Create(CliContext context)
    {
        var account = new Option<string?>("--account") { Description = "Only this account's events (else every account's)", HelpName = "ACCOUNT" };
        var after = new Option<long?>("--after") { Description = "Start after this event id (0: from the oldest stored); else after the newest event now", HelpName = "ID" };
        var json = new Option<bool>("--json") { Description = "Print each AuditEvent as a JSON line (for a SIEM shipper)" };
        var tail = new Command("tail", "Print audit events as they commit, in commit order, until Ctrl-C.");
        tail.Options.Add(account);
        tail.Options.Add(after);
        tail.Options.Add(json);
        context.SetServiceAction(tail, async (result, service, cancellationToken) =>
        {
            var accountId = result.GetValue(account) ?? string.Empty;
            var last = result.GetValue(after) ?? await NewestEventIdAsync(service, accountId, cancellationToken);
            var asJson = result.GetValue(json);
            try
            {
                using var call = service.Admin.WatchAuditEvents(new WatchAuditEventsRequest { AccountId = accountId, AfterEventId = last }, cancellationToken: cancellationToken);
                // On standard error, so standard output stays the events alone (a pipe to a shipper).
                await context.Console.Error.WriteLineAsync($"following the audit events of {(accountId.Length > 0 ? accountId : "every account")} after #{last} (Ctrl-C to stop)");
                await foreach (var auditEvent in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    last = auditEvent.EventId;
                    if (asJson)
                    {
                        await ProtoJson.WriteLineAsync(context.Out, auditEvent);
                    }
                    else
                    {
                        await context.Out.WriteLineAsync(AuditEventText.Format(auditEvent));
                    }

                    await context.Out.FlushAsync(cancellationToken);
                }
            }
            catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
            {
                return ExitCodes.Ok; // Ctrl-C: the way a tail ends
            }
            catch (RpcException e)
            {
                throw new RpcException(new Status(e.StatusCode, $"{e.Status.Detail} (resume with --after {last})"));
            }

            // The service ended the stream without an error (it should not): say where to resume.
            await context.Console.Error.WriteLineAsync($"{QbeeAuthzCli.Name}: the service ended the stream; resume with --after {last}");
            return ExitCodes.ServiceError;
        });

        var command = new Command("audit", "The audit log: tail follows it.");
        command.Subcommands.Add(tail);
        return command;
    }

    /// <summary>The newest stored event's id (0 when none): of the account, or the largest over every account.</summary>
    private static async Task<long> NewestEventIdAsync(ServiceConnection service, string accountId, CancellationToken cancellationToken)
    {
        var accounts = accountId.Length > 0 ? [accountId] : await ExportCommand.AllAccountsAsync(service, cancellationToken);
        var newest = 0L;
        foreach (var id in accounts)
        {
            var page = await service.Admin.ListAuditEventsAsync(new ListAuditEventsRequest { AccountId = id, PageSize = 1 }, deadline: ServiceConnection.UnaryDeadline, cancellationToken: cancellationToken);
            newest = Math.Max(newest, page.Events.Count > 0 ? page.Events[0].EventId : 0);
        }

        return newest;
    }
}
