using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Resources;
using Qbee.Authz.Service.Domain.Evaluation;
using static Qbee.Authz.Service.UnitTests.Domain.DomainFixtures;
using static Qbee.Authz.TestKit.Accounts.AccountRecords;

namespace Qbee.Authz.Service.UnitTests.Domain;

/// <summary>
/// Two bugs the property tests found: the restricted flag with one grant per action, and port errors that
/// named an empty string instead of the offending port.
/// </summary>
public sealed class RestrictedFlagAndPortErrorTests
{
    private const string A = "acme";

    private static readonly string Device1 = 1.ToString("x64");

    // DOMAIN.md: "restricted in the answer says that not every action is allowed". One unrestricted grant per
    // action allows every action with every parameter, exactly like a grant without action.
    private static AccountData PerActionGrants() => new(
        new AccountRecord(A, "Acme", 3),
        [Role(A, "each", Policy("remote-access:connect", "*/console", "*/tunnel", "*/reload", "*/copy"))],
        [User(A, "ivan", false, "each")],
        [Group(A, "root", ""), Device(A, Device1, "root", false)],
        [NodeSetting("root", true)]);

    [Fact]
    public void Check_ConnectOnDeviceWithoutAction_EveryActionGrantedSeparately_NotRestricted()
    {
        var snapshot = Compile(PerActionGrants());
        foreach (var action in new[] { RemoteAction.Console, RemoteAction.Tunnel, RemoteAction.Reload, RemoteAction.Copy })
        {
            Assert.True(Check(snapshot, "ivan", "remote-access:connect", Device1, Plain(action)).Allowed);
        }

        Assert.True(Check(snapshot, "ivan", "remote-access:connect", Device1, Tunnel(TunnelProtocol.Udp, 9999, "localhost")).Allowed);
        Assert.True(Check(snapshot, "ivan", "remote-access:connect", Device1, Copy(CopyDirection.Upload, "/etc")).Allowed);

        var decision = Check(snapshot, "ivan", "remote-access:connect", Device1, RemoteAccessQuery.None);
        Assert.True(decision.Allowed);
        Assert.False(decision.Restricted);
    }

    [Fact]
    public void Check_ConnectWithoutDeviceOrAction_EveryActionGrantedSeparatelyOnStar_NotRestricted()
    {
        var decision = Check(Compile(PerActionGrants()), "ivan", "remote-access:connect", null, RemoteAccessQuery.None);
        Assert.True(decision.Allowed);
        Assert.False(decision.Restricted);
    }

    // ResourceParser's contract: "Errors name the offending part". A negative port or an open range names ''.
    [Theory]
    [InlineData("*/tunnel(port=-1)", "-1")]
    [InlineData("*/tunnel(port=-22)", "-22")]
    [InlineData("*/tunnel(port=22-)", "22-")]
    public void Parse_NegativeOrOpenPort_MessageNamesTheOffendingPort(string text, string offending)
    {
        var e = Assert.Throws<ResourceSyntaxException>(() => ResourceParser.Parse(text, allowActions: true));
        Assert.Contains($"'{offending}'", e.Message, StringComparison.Ordinal);
    }
}
