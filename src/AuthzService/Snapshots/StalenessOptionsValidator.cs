using Microsoft.Extensions.Options;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>A staleness bound the poll cannot meet would take every replica out of service between two polls.</summary>
internal sealed class StalenessOptionsValidator(IOptions<SyncOptions> sync) : IValidateOptions<StalenessOptions>
{
    public static readonly TimeSpan MinMaxStaleness = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxMaxStaleness = TimeSpan.FromDays(1);

    public ValidateOptionsResult Validate(string? name, StalenessOptions options)
    {
        if (options.MaxStaleness < MinMaxStaleness || options.MaxStaleness > MaxMaxStaleness)
        {
            return ValidateOptionsResult.Fail(
                $"{StalenessOptions.SectionName}:MaxStaleness ({options.MaxStaleness}) must be {MinMaxStaleness}..{MaxMaxStaleness}.");
        }

        return options.MaxStaleness > sync.Value.PollInterval
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{StalenessOptions.SectionName}:MaxStaleness ({options.MaxStaleness}) must be longer than {SyncOptions.SectionName}:PollInterval "
                + $"({sync.Value.PollInterval}): each poll is what confirms an account current.");
    }
}
