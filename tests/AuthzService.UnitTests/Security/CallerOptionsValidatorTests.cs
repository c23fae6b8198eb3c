using Qbee.Authz.Service.Security;

namespace Qbee.Authz.Service.UnitTests.Security;

public sealed class CallerOptionsValidatorTests
{
    private static readonly string Hash = new('a', 64);

    private static CallerEntry Caller(string name = "gateway", string? hash = null, params string[] scopes) =>
        new() { Name = name, TokenSha256 = hash ?? Hash, Scopes = scopes.Length > 0 ? [.. scopes] : ["check"] };

    private static string? Validate(params CallerEntry[] callers)
    {
        var result = new CallerOptionsValidator().Validate(null, new CallerOptions { Callers = [.. callers] });
        return result.Failed ? result.FailureMessage : null;
    }

    [Fact]
    public void Validate_NoCallersOrWellFormedCallers_Succeeds()
    {
        Assert.Null(Validate());
        Assert.Null(Validate(Caller(), Caller("ops", new string('B', 64), "check", "admin")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void Validate_HashNot64Hex_FailsNamingTheKey(string hash)
    {
        Assert.Contains("Authz:Callers:0:TokenSha256", Validate(Caller(hash: hash)));
    }

    [Fact]
    public void Validate_UnknownOrMissingScope_Fails()
    {
        Assert.Contains("'read'", Validate(Caller(scopes: "read")));
        Assert.Contains("Scopes is required", Validate(new CallerEntry { Name = "x", TokenSha256 = Hash }));
    }

    [Fact]
    public void Validate_DuplicateNameOrHash_Fails()
    {
        Assert.Contains("configured twice", Validate(Caller(), Caller("GATEWAY", new string('b', 64))));
        Assert.Contains("same as another caller", Validate(Caller(), Caller("other", Hash.ToUpperInvariant())));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("ünicode")]
    public void Validate_BadName_Fails(string name)
    {
        Assert.Contains("Authz:Callers:0:Name", Validate(Caller(name)));
    }
}
