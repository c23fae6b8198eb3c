using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Domain;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>Preload is All, None or valid account ids; the budget is not negative, and set only when accounts load on demand.</summary>
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

        if (options.MemoryBudget < 0)
        {
            return ValidateOptionsResult.Fail($"{SnapshotOptions.SectionName}:MemoryBudget ({options.MemoryBudget}) must be 0 (the default) or a number of bytes.");
        }

        // With All every account is held and none is ever evicted: a budget would be silently ignored.
        return options.MemoryBudget > 0 && options.PreloadsAll
            ? ValidateOptionsResult.Fail(
                $"{SnapshotOptions.SectionName}:MemoryBudget ({options.MemoryBudget}) applies only to accounts loaded on demand, and Preload is All "
                + "(every account held, never evicted): set Preload to None or to the account ids to pin, or remove MemoryBudget.")
            : ValidateOptionsResult.Success;
    }
}
