using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Domain;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>Preload is All, None or valid account ids; the budget is not negative.</summary>
internal sealed class SnapshotOptionsValidator : IValidateOptions<SnapshotOptions>
{
    public ValidateOptionsResult Validate(string? name, SnapshotOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Preload))
        {
            return ValidateOptionsResult.Fail($"{SnapshotOptions.SectionName}:Preload must be All, None or account ids separated by commas.");
        }

        var invalid = options.PinnedAccounts.Where(id => !Ids.IsValidId(id)).ToList();
        if (invalid.Count > 0)
        {
            return ValidateOptionsResult.Fail(
                $"{SnapshotOptions.SectionName}:Preload: '{Printable.Clip(invalid[0])}' is not a valid account id (All, None or account ids separated by commas).");
        }

        return options.MemoryBudget < 0
            ? ValidateOptionsResult.Fail($"{SnapshotOptions.SectionName}:MemoryBudget ({options.MemoryBudget}) must be 0 (the default) or a number of bytes.")
            : ValidateOptionsResult.Success;
    }
}
