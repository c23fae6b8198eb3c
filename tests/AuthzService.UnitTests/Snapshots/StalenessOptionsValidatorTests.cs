using System.Globalization;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Snapshots;

namespace Qbee.Authz.Service.UnitTests.Snapshots;

public sealed class StalenessOptionsValidatorTests
{
    [Fact]
    public void Validate_MaxStalenessNotLongerThanThePollInterval_FailsNamingBoth()
    {
        var validator = new StalenessOptionsValidator(Options.Create(new SyncOptions { PollInterval = TimeSpan.FromSeconds(5) }));

        var result = validator.Validate(null, new StalenessOptions { MaxStaleness = TimeSpan.FromSeconds(5) });

        Assert.True(result.Failed);
        Assert.Contains("Authz:Sync:MaxStaleness", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Authz:Redis:PollInterval", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:00.500")]
    [InlineData("1.00:00:01")]
    public void Validate_MaxStalenessOutOfRange_FailsNamingTheSetting(string maxStaleness)
    {
        var validator = new StalenessOptionsValidator(Options.Create(new SyncOptions { PollInterval = TimeSpan.FromMilliseconds(100) }));

        var result = validator.Validate(null, new StalenessOptions { MaxStaleness = TimeSpan.Parse(maxStaleness, CultureInfo.InvariantCulture) });

        Assert.True(result.Failed);
        Assert.Contains("Authz:Sync:MaxStaleness", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var validator = new StalenessOptionsValidator(Options.Create(new SyncOptions()));

        Assert.True(validator.Validate(null, new StalenessOptions()).Succeeded);
    }
}
