using Qbee.Authz.Service.Domain;

namespace Qbee.Authz.Service.UnitTests.Domain;

public sealed class LimitsOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        Assert.True(new LimitsOptionsValidator().Validate(null, new LimitsOptions()).Succeeded);
    }

    [Fact]
    public void Validate_MaxMessageBytesBelowRange_FailsNamingTheField()
    {
        var result = new LimitsOptionsValidator().Validate(null, new LimitsOptions { MaxMessageBytes = 1024 });

        Assert.True(result.Failed);
        Assert.Contains(nameof(LimitsOptions.MaxMessageBytes), result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100_001)]
    public void Validate_MaxImpactUsersOutOfRange_FailsNamingTheField(int users)
    {
        var result = new LimitsOptionsValidator().Validate(null, new LimitsOptions { MaxImpactUsers = users });

        Assert.True(result.Failed);
        Assert.Contains(nameof(LimitsOptions.MaxImpactUsers), result.FailureMessage, StringComparison.Ordinal);
    }
}
