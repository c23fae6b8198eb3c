using Qbee.Authz.Service.Snapshots;

namespace Qbee.Authz.Service.UnitTests.Snapshots;

public sealed class SyncOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        Assert.True(new SyncOptionsValidator().Validate(null, new SyncOptions()).Succeeded);
    }

    [Fact]
    public void Validate_PollIntervalBelowRange_FailsNamingTheField()
    {
        var result = new SyncOptionsValidator().Validate(null, new SyncOptions { PollInterval = TimeSpan.FromMilliseconds(10) });

        Assert.True(result.Failed);
        Assert.Contains(nameof(SyncOptions.PollInterval), result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_KeyPrefixWithSpace_FailsNamingTheField()
    {
        var result = new SyncOptionsValidator().Validate(null, new SyncOptions { KeyPrefix = "qbee authz" });

        Assert.True(result.Failed);
        Assert.Contains(nameof(SyncOptions.KeyPrefix), result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CompactEveryBelowRange_FailsNamingTheField()
    {
        var result = new SyncOptionsValidator().Validate(null, new SyncOptions { CompactEvery = 1 });

        Assert.True(result.Failed);
        Assert.Contains(nameof(SyncOptions.CompactEvery), result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CompactIntervalZero_FailsNamingTheField()
    {
        var result = new SyncOptionsValidator().Validate(null, new SyncOptions { CompactInterval = TimeSpan.Zero });

        Assert.True(result.Failed);
        Assert.Contains(nameof(SyncOptions.CompactInterval), result.FailureMessage, StringComparison.Ordinal);
    }
}
