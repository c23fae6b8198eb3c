using System.CommandLine;

namespace Qbee.Authz.Cli.Connection;

/// <summary><c>--address</c> and <c>--token</c>, on every command, with their environment variables and default.</summary>
internal sealed class ConnectionOptions
{
    public const string AddressVariable = "QBEE_AUTHZ_ADDRESS";
    public const string TokenVariable = "QBEE_AUTHZ_TOKEN";
    public const string DefaultAddress = "http://127.0.0.1:50051";

    private readonly Option<string?> _address = new("--address")
    {
        Description = $"The service's URL (else ${AddressVariable}, else {DefaultAddress})",
        HelpName = "URL",
        Recursive = true,
    };

    private readonly Option<string?> _token = new("--token")
    {
        Description = $"A caller token, sent as 'authorization: Bearer <token>' (else ${TokenVariable}); none over loopback without callers",
        HelpName = "TOKEN",
        Recursive = true,
    };

    public void AddTo(Command root)
    {
        root.Options.Add(_address);
        root.Options.Add(_token);
    }

    public ServiceConnection Open(ParseResult result, CliConsole console)
    {
        var addressText = FirstGiven(result.GetValue(_address), console.Environment(AddressVariable)) ?? DefaultAddress;
        if (!Uri.TryCreate(addressText, UriKind.Absolute, out var address) || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliInputException($"--address: '{addressText}' is not an http:// or https:// URL (e.g. {DefaultAddress})");
        }

        var token = FirstGiven(result.GetValue(_token), console.Environment(TokenVariable));
        if (token is not null && address.Scheme == Uri.UriSchemeHttp && !address.IsLoopback)
        {
            console.Error.WriteLine($"{QbeeAuthzCli.Name}: warning: sending the token unencrypted to {address.Host} (use https:// off loopback)");
        }

        return new ServiceConnection(address, token);
    }

    private static string? FirstGiven(params string?[] values) =>
        values.Select(v => v?.Trim()).FirstOrDefault(v => !string.IsNullOrEmpty(v));
}
