using System.CommandLine;
using Grpc.Core;
using Qbee.Authz.Cli.Connection;
using Qbee.Authz.Cli.Output;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Grpc.Mapping;
using Qbee.Authz.Service.PolicyTests;
using Qbee.Authz.V1;

namespace Qbee.Authz.Cli.Commands;

/// <summary><c>export ACCOUNT</c> / <c>export --all</c>: ExportAccount's records as JSON lines on standard output, what
/// <c>import</c> reads back; or (<c>--as-test</c>) as a policy test file.</summary>
internal static class ExportCommand
{
    public static Command Create(CliContext context)
    {
        var account = new Argument<string?>("ACCOUNT") { Description = "The account to export", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Every account GetStatus lists, one after the other: a whole-store backup" };
        var asTest = new Option<bool>("--as-test") { Description = "Write the account as a policy test file (YAML, docs/POLICY-TESTS.md) to keep its roles under test" };
        var command = new Command("export", "An account (or every account) as JSON lines, one AccountRecord each, at one revision: qbee-authz export acme > acme.jsonl");
        command.Arguments.Add(account);
        command.Options.Add(all);
        command.Options.Add(asTest);
        command.Validators.Add(result =>
        {
            if ((result.GetValue(account) is null) == !result.GetValue(all))
            {
                result.AddError("give an ACCOUNT or --all");
            }
            else if (result.GetValue(all) && result.GetValue(asTest))
            {
                result.AddError("--as-test writes one account: give an ACCOUNT");
            }
        });
        context.SetServiceAction(command, async (result, service, cancellationToken) =>
        {
            if (result.GetValue(asTest))
            {
                await WriteTestFileAsync(service, result.GetValue(account)!, context.Out, cancellationToken);
                return ExitCodes.Ok;
            }

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

    /// <summary>The export read whole, turned into the account's rows as an import would store them, written by the
    /// policy-test writer (which <c>qbee-authz test</c> reads back to the same rows).</summary>
    private static async Task WriteTestFileAsync(ServiceConnection service, string accountId, TextWriter output, CancellationToken cancellationToken)
    {
        var records = new List<AccountRecord>();
        await foreach (var record in ExportAsync(service, accountId, cancellationToken))
        {
            records.Add(record);
        }

        Qbee.Authz.Service.Domain.Model.AccountData rows;
        try
        {
            rows = ExportMapping.ToAccountData(records);
        }
        catch (DomainException e)
        {
            // The service exported what it would refuse to import: a service of another version, most likely.
            throw new CliInputException($"the export of {accountId} cannot be read as an account: {e.Message}");
        }

        PolicyTestFileWriter.Write(rows, output);
        await output.FlushAsync(cancellationToken);
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
