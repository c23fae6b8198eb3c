using System.CommandLine;
using Grpc.Core;
using Qbee.Authz.Cli.Connection;
using Qbee.Authz.Cli.Output;

namespace Qbee.Authz.Cli;

/// <summary>What every command shares: the console, the connection flags, and one way to turn failures into exit codes.</summary>
internal sealed class CliContext(CliConsole console, ConnectionOptions connection)
{
    public CliConsole Console => console;

    public TextWriter Out => console.Out;

    /// <summary>An offline command: bad input is one line on standard error and exit code 2.</summary>
    public void SetAction(Command command, Func<ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction((result, cancellationToken) => GuardAsync(() => null, () => action(result, cancellationToken)));

    /// <summary>A command that calls the service: a gRPC error is one line (status and detail) and exit code 3.</summary>
    public void SetServiceAction(Command command, Func<ParseResult, ServiceConnection, CancellationToken, Task<int>> action) =>
        command.SetAction((result, cancellationToken) =>
        {
            ServiceConnection? service = null;
            return GuardAsync(() => service?.Address, async () =>
            {
                using (service = connection.Open(result, console))
                {
                    return await action(result, service, cancellationToken);
                }
            });
        });

    private async Task<int> GuardAsync(Func<Uri?> address, Func<Task<int>> run)
    {
        try
        {
            return await run();
        }
        catch (CliInputException e)
        {
            await console.Error.WriteLineAsync($"{QbeeAuthzCli.Name}: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (RpcException e)
        {
            await console.Error.WriteLineAsync($"{QbeeAuthzCli.Name}: {RpcErrorText.Format(e, address())}");
            return ExitCodes.ServiceError;
        }
    }
}
