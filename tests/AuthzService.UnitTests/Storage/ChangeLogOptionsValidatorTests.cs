using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.UnitTests.Storage;

public sealed class ChangeLogOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_SucceedsWithSevenDaysAndTenThousandRevisions()
    {
        var defaults = new ChangeLogOptions();

        Assert.True(new ChangeLogOptionsValidator().Validate(null, defaults).Succeeded);
        Assert.Equal((TimeSpan.FromDays(7), 10_000), (defaults.Retention, defaults.KeepRevisions));
    }

    [Fact]
    public void Validate_RetentionBelowAMinute_FailsNamingTheField()
    {
        var result = new ChangeLogOptionsValidator().Validate(null, new ChangeLogOptions { Retention = TimeSpan.FromSeconds(5) });

        Assert.True(result.Failed);
        Assert.Contains(nameof(ChangeLogOptions.Retention), result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NegativeKeepRevisions_FailsNamingTheField()
    {
        var result = new ChangeLogOptionsValidator().Validate(null, new ChangeLogOptions { KeepRevisions = -1 });

        Assert.True(result.Failed);
        Assert.Contains(nameof(ChangeLogOptions.KeepRevisions), result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BatchSizeZero_FailsNamingTheField()
    {
        var result = new ChangeLogOptionsValidator().Validate(null, new ChangeLogOptions { BatchSize = 0 });

        Assert.True(result.Failed);
        Assert.Contains(nameof(ChangeLogOptions.BatchSize), result.FailureMessage, StringComparison.Ordinal);
    }
}
