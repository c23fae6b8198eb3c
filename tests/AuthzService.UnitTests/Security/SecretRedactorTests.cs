using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Security;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.UnitTests.Security;

public sealed class SecretRedactorTests
{
    [Theory]
    [InlineData("Server=sql.internal;Database=qbee_authz;User Id=authz;Password=s3cr3t-Sql;Encrypt=true")]
    [InlineData("Server=sql.internal;Database=qbee_authz;User Id=authz;pwd=s3cr3t-Sql")]
    public void Redact_SqlServerConnectionStringPassword_IsMasked(string connectionString)
    {
        var redactor = new SecretRedactor(
            Options.Create(new SyncOptions()), Options.Create(new StoreOptions { Provider = "SqlServer", ConnectionString = connectionString }));

        Assert.Equal($"Login failed: {SecretRedactor.Mask}", redactor.Redact("Login failed: s3cr3t-Sql"));
    }

    [Fact]
    public void Redact_TextHoldingEitherConfiguredPassword_MasksBoth()
    {
        var redactor = new SecretRedactor(
            Options.Create(new SyncOptions { Configuration = "127.0.0.1:1,password=s3cr3t-Redis" }),
            Options.Create(new StoreOptions { Provider = "SqlServer", ConnectionString = "Server=db;Database=a;User Id=u;Password=s3cr3t-Sql" }));

        var redacted = redactor.Redact("login failed with s3cr3t-Sql; Redis auth s3cr3t-Redis refused");

        Assert.Equal($"login failed with {SecretRedactor.Mask}; Redis auth {SecretRedactor.Mask} refused", redacted);
    }

    [Fact]
    public void Redact_NoSecretsConfigured_LeavesTextAlone()
    {
        var redactor = new SecretRedactor(Options.Create(new SyncOptions()), Options.Create(new StoreOptions()));

        Assert.Equal("SQLite Error 14: 'unable to open database file'.", redactor.Redact("SQLite Error 14: 'unable to open database file'."));
    }
}
