using System.CommandLine;
using Grpc.Core;
using Qbee.Authz.Cli.Connection;
using Qbee.Authz.Cli.Output;
using Qbee.Authz.V1;

namespace Qbee.Authz.Cli.Commands;

/// <summary><c>export ACCOUNT</c> / <c>export --all</c>: ExportAccount's records as JSON lines on standard output, what
/// <c>import</c> reads back.</summary>
internal static class ExportCommand
{
    public static Command Create(CliContext context)
    {
        var account = new Argument<string?>("ACCOUNT") { Description = "The account to export", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Every account GetStatus lists, one after the other: a whole-store backup" };
        var command = new Command("export", "An account (or every account) as JSON lines, one AccountRecord each, at one revision: qbee-authz export acme > acme.jsonl");
        command.Arguments.Add(account);
        command.Options.Add(all);
        command.Validators.Add(result =>
        {
            if ((result.GetValue(account) is null) == !result.GetValue(all))
            {
                result.AddError("give an ACCOUNT or --all");
            }
        });
        context.SetServiceAction(command, async (result, service, cancellationToken) =>
        {
            var accounts = result.GetValue(all) ? await AllAccountsAsync(service, cancellationToken) : [result.GetValue(account)!];
            foreach (var accountId in accounts)
            {
                await foreach (var record in ExportAsync(service, accountId, cancellationToken))
                {
                    await ProtoJson.WriteLineAsync(context.Out, record);
                }
            }

            await context.Out.FlushAsync(cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }

    public static async IAsyncEnumerable<AccountRecord> ExportAsync(ServiceConnection service, string accountId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var call = service.Admin.ExportAccount(new ExportAccountRequest { AccountId = accountId }, cancellationToken: cancellationToken);
        await foreach (var record in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            yield return record;
        }
    }

    /// <summary>The accounts the service holds, by id.</summary>
    public static async Task<IReadOnlyList<string>> AllAccountsAsync(ServiceConnection service, CancellationToken cancellationToken)
    {
        var status = await service.Admin.GetStatusAsync(new GetStatusRequest(), deadline: ServiceConnection.UnaryDeadline, cancellationToken: cancellationToken);
        return status.Accounts.Select(a => a.AccountId).Order(StringComparer.Ordinal).ToList();
    }
}
