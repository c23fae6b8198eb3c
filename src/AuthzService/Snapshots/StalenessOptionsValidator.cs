using Microsoft.Extensions.Options;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>A staleness bound the poll cannot meet would take every replica out of service between two polls.</summary>
internal sealed class StalenessOptionsValidator(IOptions<SyncOptions> sync) : IValidateOptions<StalenessOptions>
{
    public ValidateOptionsResult Validate(string? name, StalenessOptions options) =>
        options.MaxStaleness > sync.Value.PollInterval
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{StalenessOptions.Section}:MaxStaleness ({options.MaxStaleness}) must be longer than {SyncOptions.Section}:PollInterval "
                + $"({sync.Value.PollInterval}): each poll is what confirms an account current.");
}
