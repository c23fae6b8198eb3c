using Microsoft.Extensions.Options;

namespace Qbee.Authz.Service.Security;

/// <summary>Stops the service at start-up when the client CA it is told to trust is not there.</summary>
internal sealed class TlsOptionsValidator : IValidateOptions<TlsOptions>
{
    public ValidateOptionsResult Validate(string? name, TlsOptions options) =>
        options.ClientCaPath.Length == 0 || File.Exists(options.ClientCaPath)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{TlsOptions.SectionName}:ClientCaPath names no file.");
}
