using System.CommandLine;
using Google.Protobuf;
using Grpc.Core;
using Qbee.Authz.Cli.Connection;
using Qbee.Authz.Cli.Output;
using Qbee.Authz.V1;

namespace Qbee.Authz.Cli.Commands;

/// <summary><c>import [--replace] &lt; file</c>: streams <c>export</c>'s JSON lines to ImportAccount, one call per account in
/// the file (a whole-store backup holds several), each one transaction on the service.</summary>
internal static class ImportCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Argument<string?>("FILE") { Description = "The export to read; omitted or '-': standard input", Arity = ArgumentArity.ZeroOrOne };
        var replace = new Option<bool>("--replace") { Description = "Replace the content of an account that exists (else ALREADY_EXISTS)" };
        var json = new Option<bool>("--json") { Description = "Print each ImportAccountResponse as JSON" };
        var command = new Command("import", "Create accounts from export's JSON lines: qbee-authz import < acme.jsonl");
        command.Arguments.Add(file);
        command.Options.Add(replace);
        command.Options.Add(json);
        context.SetServiceAction(command, async (result, service, cancellationToken) =>
        {
            var path = result.GetValue(file);
            using var reader = path is null or "-" ? null : OpenFile(path);
            var input = reader ?? context.Console.In;
            var name = path is null or "-" ? "stdin" : path;
            AsyncClientStreamingCall<AccountRecord, ImportAccountResponse>? call = null;
            try
            {
                var lineNumber = 0;
                while (await input.ReadLineAsync(cancellationToken) is { } line)
                {
                    lineNumber++;
                    if (string.IsNullOrWhiteSpace(line))
                    {
                        continue;
                    }

                    var record = Parse(line, $"{name}:{lineNumber}");
                    if (record.RecordCase == AccountRecord.RecordOneofCase.Account)
                    {
                        if (call is not null)
                        {
                            await FinishAsync(call, context.Out, result.GetValue(json));
                            call.Dispose();
                        }

                        record.Replace |= result.GetValue(replace);
                        call = service.Admin.ImportAccount(cancellationToken: cancellationToken);
                    }
                    else if (call is null)
                    {
                        throw new CliInputException($"{name}:{lineNumber}: the first record must be an account (a file written by qbee-authz export)");
                    }

                    await SendAsync(call, record, cancellationToken);
                }

                if (call is null)
                {
                    throw new CliInputException($"{name}: no records (expected the JSON lines of qbee-authz export)");
                }

                await FinishAsync(call, context.Out, result.GetValue(json));
            }
            finally
            {
                call?.Dispose();
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static StreamReader OpenFile(string path)
    {
        try
        {
            return new StreamReader(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliInputException($"{path}: {e.Message}");
        }
    }

    private static AccountRecord Parse(string line, string where)
    {
        try
        {
            return ProtoJson.Parser.Parse<AccountRecord>(line);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new CliInputException($"{where}: not an AccountRecord: {e.Message}");
        }
        catch (InvalidJsonException e)
        {
            throw new CliInputException($"{where}: not JSON: {e.Message}");
        }
    }

    private static async Task SendAsync(AsyncClientStreamingCall<AccountRecord, ImportAccountResponse> call, AccountRecord record, CancellationToken cancellationToken)
    {
        try
        {
            await call.RequestStream.WriteAsync(record, cancellationToken);
        }
        catch (Exception e) when (e is InvalidOperationException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            // The service ended the call early (a refused record): its status says why, not the write's.
            await call.ResponseAsync;
            throw;
        }
    }

    private static async Task FinishAsync(AsyncClientStreamingCall<AccountRecord, ImportAccountResponse> call, TextWriter output, bool json)
    {
        await call.RequestStream.CompleteAsync();
        var response = await call;
        if (json)
        {
            await ProtoJson.WriteLineAsync(output, response);
            return;
        }

        var counts = response.Counts ?? new ImportCounts();
        await output.WriteLineAsync(
            $"imported {response.AccountId} at revision {response.Revision}: {counts.Roles} roles, {counts.Users} users, {counts.Nodes} nodes, {counts.RemoteAccess} remote-access settings");
    }
}
