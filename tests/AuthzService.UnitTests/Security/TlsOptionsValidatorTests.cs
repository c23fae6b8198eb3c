using Qbee.Authz.Service.Security;

namespace Qbee.Authz.Service.UnitTests.Security;

public sealed class TlsOptionsValidatorTests
{
    [Fact]
    public void Validate_NoClientCa_Succeeds()
    {
        Assert.True(new TlsOptionsValidator().Validate(null, new TlsOptions()).Succeeded);
    }

    [Fact]
    public void Validate_ClientCaPathNamingNoFile_FailsNamingTheSetting()
    {
        var path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "ca.pem");

        var result = new TlsOptionsValidator().Validate(null, new TlsOptions { ClientCaPath = path });

        Assert.True(result.Failed);
        Assert.Equal("Authz:Tls:ClientCaPath names no file.", result.FailureMessage);
    }
}
