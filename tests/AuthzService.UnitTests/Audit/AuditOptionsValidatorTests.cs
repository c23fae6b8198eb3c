using Qbee.Authz.Service.Audit;

namespace Qbee.Authz.Service.UnitTests.Audit;

public sealed class AuditOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        Assert.True(new AuditOptionsValidator().Validate(null, new AuditOptions()).Succeeded);
    }

    [Fact]
    public void Validate_QueueCapacityBelowRange_FailsNamingTheField()
    {
        var result = new AuditOptionsValidator().Validate(null, new AuditOptions { QueueCapacity = 10 });

        Assert.True(result.Failed);
        Assert.Contains(nameof(AuditOptions.QueueCapacity), result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CommitTimeoutBelowRange_FailsNamingTheField()
    {
        var result = new AuditOptionsValidator().Validate(null, new AuditOptions { CommitTimeout = TimeSpan.FromMilliseconds(10) });

        Assert.True(result.Failed);
        Assert.Contains(nameof(AuditOptions.CommitTimeout), result.FailureMessage, StringComparison.Ordinal);
    }
}
