using Qbee.Authz.Service.PolicyTests;

namespace Qbee.Authz.Service.UnitTests.PolicyTests;

/// <summary>A '*' in the device's place asks where a user may (ListAllowedDevices); in the user's place, who may.</summary>
public sealed class SetAssertionTests
{
    [Theory]
    [InlineData("bob device:read * -> [console, d1, d2]")]
    [InlineData("bob device:read * -> [d2, d1, console]")]
    [InlineData("bob remote-access:connect * console -> [d1]")]
    [InlineData("bob remote-access:connect * tunnel tcp:22@localhost -> [d1]")]
    [InlineData("bob remote-access:connect * reload -> []")]
    [InlineData("olga device:read * -> []")]
    [InlineData("  - '* device:read d1 -> [bob]'")]
    [InlineData("  - '* users:manage -> [olga]'")]
    [InlineData("  - '* remote-access:connect d1 console -> [bob]'")]
    [InlineData("  - '* remote-access:connect d2 console -> []'")]
    [InlineData("  - {user: '*', permission: device:read, device: d1, expect: [bob]}")]
    [InlineData("  - {user: bob, permission: device:read, device: '*', expect: [d1, d2, console]}")]
    public void Run_SetAssertion_Passes(string assertion)
    {
        var result = Assert.Single(PolicyTestRunner.Run(PolicyFiles.Load(PolicyFiles.WithAssertions(assertion))));

        Assert.True(result.Passed, string.Join(", ", result.Allowed!));
    }

    [Fact]
    public void Run_WrongDeviceList_ReportsEachWrongDeviceWithItsExplainText()
    {
        var (exit, output, _) = PolicyFiles.Run(PolicyFiles.WithAssertions("bob remote-access:connect * console -> [d1, d2]"));

        Assert.Equal(PolicyTestCommand.Failed, exit);
        Assert.Contains("FAIL bob remote-access:connect * console -> [d1, d2]", output, StringComparison.Ordinal);
        Assert.Contains("expected [d1, d2], got [d1]", output, StringComparison.Ordinal);
        Assert.Contains("d2: listed, REMOTE_ACCESS_DISABLED: Denied: the user may connect, but the device does not accept remote access. User bob", output, StringComparison.Ordinal);
        Assert.DoesNotContain("d1: ", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_WrongUserList_ReportsTheUnexpectedAndTheUnknown()
    {
        var (exit, output, _) = PolicyFiles.Run(PolicyFiles.WithAssertions("  - '* device:read d1 -> [olga, zed]'"));

        Assert.Equal(PolicyTestCommand.Failed, exit);
        Assert.Contains("expected [olga, zed], got [bob]", output, StringComparison.Ordinal);
        Assert.Contains("bob: allowed, not listed: Allowed.", output, StringComparison.Ordinal);
        Assert.Contains("olga: listed, PERMISSION_NOT_GRANTED: Denied: no role of the user grants this permission.", output, StringComparison.Ordinal);
        Assert.Contains("zed: listed, but not in the file", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnquotedStar_SaysToQuoteIt()
    {
        var error = PolicyFiles.LoadError(PolicyFiles.WithAssertions("* device:read d1 -> [bob]"));

        Assert.Contains("not valid YAML", error.Reason, StringComparison.Ordinal);
        Assert.Contains("an assertion starting with '*' must be quoted", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("  - '* device:read * -> []'", "'*' stands for the users or for the devices, not both")]
    [InlineData("bob device:read * -> GRANTED", "'*' asks for a list")]
    [InlineData("bob device:read d1 -> [d1]", "a list answers an assertion with '*'")]
    [InlineData("bob device:read * -> [d9]", "device 'd9' is not named in the tree")]
    [InlineData("  - '* device:read d1 -> [b@b]'", "'b@b' is not a user id")]
    public void Load_BadSetAssertion_SaysWhy(string assertion, string reason)
    {
        var error = PolicyFiles.LoadError(PolicyFiles.WithAssertions(assertion));

        Assert.Equal("assertions[0]", error.Field);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }
}
