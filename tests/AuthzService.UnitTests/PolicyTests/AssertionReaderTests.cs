using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Evaluation;
using Qbee.Authz.Service.PolicyTests;

namespace Qbee.Authz.Service.UnitTests.PolicyTests;

/// <summary>Every assertion form reads into the check it says, and is answered as Check answers it.</summary>
public sealed class AssertionReaderTests
{
    [Theory]
    [InlineData("bob remote-access:connect d1 console -> GRANTED", DecisionReason.Granted)]
    [InlineData("bob remote-access:connect d1 console → GRANTED", DecisionReason.Granted)]
    [InlineData("bob remote-access:connect d1 tunnel tcp:22@localhost -> GRANTED", DecisionReason.Granted)]
    [InlineData("bob remote-access:connect d1 tunnel tcp:2222@localhost -> ACTION_NOT_GRANTED", DecisionReason.ActionNotGranted)]
    [InlineData("bob remote-access:connect d1 tunnel proto=tcp port=22 dst=localhost -> GRANTED", DecisionReason.Granted)]
    [InlineData("bob remote-access:connect d1 tunnel tcp:22 -> ACTION_NOT_GRANTED", DecisionReason.ActionNotGranted)]
    [InlineData("bob remote-access:connect d1 tunnel 22 -> ACTION_NOT_GRANTED", DecisionReason.ActionNotGranted)]
    [InlineData("bob remote-access:connect d1 copy download /var/log/syslog -> GRANTED", DecisionReason.Granted)]
    [InlineData("bob remote-access:connect d1 copy direction=download path=/var/log/a -> GRANTED", DecisionReason.Granted)]
    [InlineData("bob remote-access:connect d1 copy download /etc/passwd -> ACTION_NOT_GRANTED", DecisionReason.ActionNotGranted)]
    [InlineData("bob remote-access:connect d1 reload -> ACTION_NOT_GRANTED", DecisionReason.ActionNotGranted)]
    [InlineData("bob remote-access:connect d1 -> GRANTED restricted", DecisionReason.Granted)]
    [InlineData("bob remote-access:connect d2 console -> REMOTE_ACCESS_DISABLED", DecisionReason.RemoteAccessDisabled)]
    [InlineData("bob remote-access:connect console -> REMOTE_ACCESS_DISABLED", DecisionReason.RemoteAccessDisabled)]
    [InlineData("bob remote-access:connect - console -> GRANTED restricted", DecisionReason.Granted)]
    [InlineData("bob remote-access:connect tunnel udp:53 -> ACTION_NOT_GRANTED", DecisionReason.ActionNotGranted)]
    [InlineData("bob device:read d1 -> GRANTED unrestricted", DecisionReason.Granted)]
    [InlineData("bob device:read -> allowed", DecisionReason.Granted)]
    [InlineData("bob device:manage d1 -> PERMISSION_NOT_GRANTED", DecisionReason.PermissionNotGranted)]
    [InlineData("bob device:manage d1 -> denied", DecisionReason.PermissionNotGranted)]
    [InlineData("olga users:manage -> GRANTED", DecisionReason.Granted)]
    [InlineData("olga users:manage d1 -> granted", DecisionReason.Granted)]
    [InlineData("bob users:manage -> PERMISSION_NOT_GRANTED", DecisionReason.PermissionNotGranted)]
    [InlineData("dan device:read d1 -> USER_DISABLED", DecisionReason.UserDisabled)]
    [InlineData("nobody device:read d1 -> USER_NOT_FOUND", DecisionReason.UserNotFound)]
    [InlineData("bob device:read 0000000000000000000000000000000000000000000000000000000000000000 -> DEVICE_NOT_FOUND", DecisionReason.DeviceNotFound)]
    [InlineData("bob reports:markread d1 -> PERMISSION_NOT_GRANTED", DecisionReason.PermissionNotGranted)]
    public void Run_LineForm_AnswersAsWrittenAndPasses(string line, DecisionReason actual)
    {
        var result = Assert.Single(PolicyTestRunner.Run(PolicyFiles.Load(PolicyFiles.WithAssertions(line))));

        Assert.Equal(actual, result.Actual.Reason);
        Assert.True(result.Passed, result.Actual.Message);
    }

    [Fact]
    public void Read_DeviceNamedLikeAnAction_IsTheDevice()
    {
        // "console" is a device of the base file: the device wins; '-' says "no device".
        var file = PolicyFiles.Load(PolicyFiles.WithAssertions(
            "bob remote-access:connect console console -> REMOTE_ACCESS_DISABLED",
            "bob remote-access:connect - console -> GRANTED restricted"));

        Assert.Equal(DeviceNames.IdFor("console"), file.Assertions[0].Check.DeviceId);
        Assert.Equal(RemoteAction.Console, file.Assertions[0].Check.RemoteAccess.Action);
        Assert.Empty(file.Assertions[1].Check.DeviceId);
        Assert.All(PolicyTestRunner.Run(file), r => Assert.True(r.Passed, r.Actual.Message));
    }

    [Fact]
    public void Read_StructuredForm_ReadsEveryField()
    {
        var file = PolicyFiles.Load(PolicyFiles.WithAssertions(
            "  - user: bob",
            "    permission: remote-access:connect",
            "    device: d1",
            "    action: copy",
            "    direction: download",
            "    path: /var/log/app logs/x.txt",
            "    expect: GRANTED",
            "    restricted: false",
            "  - {user: bob, permission: remote-access:connect, device: d1, action: tunnel, proto: tcp, port: 22, dst: localhost, expect: allowed}"));

        var copy = file.Assertions[0].Check;
        Assert.Equal(("bob", Permission.RemoteAccessConnect, DeviceNames.IdFor("d1")), (copy.UserId, copy.Permission, copy.DeviceId));
        Assert.Equal((RemoteAction.Copy, "/var/log/app logs/x.txt"), (copy.RemoteAccess.Action, copy.RemoteAccess.NormalizedPath));
        Assert.Equal(new ExpectedOutcome(DecisionReason.Granted, true, false), file.Assertions[0].Expected);
        var tunnel = file.Assertions[1].Check.RemoteAccess;
        Assert.Equal((RemoteAction.Tunnel, 22, "localhost"), (tunnel.Action, tunnel.Port, tunnel.Destination));
        Assert.Equal("bob remote-access:connect d1 tunnel proto=tcp port=22 dst=localhost -> allowed", file.Assertions[1].Text);
        Assert.All(PolicyTestRunner.Run(file), r => Assert.True(r.Passed, r.Actual.Message));
    }

    [Fact]
    public void Run_RestrictedExpectedButUnrestricted_Fails()
    {
        var result = Assert.Single(PolicyTestRunner.Run(PolicyFiles.Load(PolicyFiles.WithAssertions("bob device:read d1 -> GRANTED restricted"))));

        Assert.Equal(DecisionReason.Granted, result.Actual.Reason);
        Assert.False(result.Passed);
    }

    [Theory]
    [InlineData("bob device:read d9 -> GRANTED", "device 'd9' is not named in the tree")]
    [InlineData("bob device:read d1 GRANTED", "must read USER PERMISSION [DEVICE] [ACTION ...] -> OUTCOME")]
    [InlineData("bob device:read d1 -> MAYBE", "'MAYBE' is not an outcome")]
    [InlineData("bob -> GRANTED", "names no user and permission")]
    [InlineData("bob remote-access:connect d1 dance -> GRANTED", "unknown action 'dance'")]
    [InlineData("bob remote-access:connect d1 console dance -> GRANTED", "'dance': a tunnel takes [tcp|udp][:port][@dst]")]
    [InlineData("bob remote-access:connect d1 tunnel tcp:99999 -> GRANTED", "remote_access.port: must be 1..65535")]
    [InlineData("bob remote-access:connect d1 tunnel sctp:22 -> GRANTED", "remote_access.proto: must be tcp or udp")]
    [InlineData("bob remote-access:connect d1 copy download /var/%2e%2e/x -> GRANTED", "remote_access.path:")]
    [InlineData("bob remote-access:connect d1 console tcp:22 -> GRANTED", "other actions take no parameters")]
    [InlineData("bob remote-access:connect d1 console port=22 -> GRANTED", "remote_access: proto, port and dst apply to the tunnel action only")]
    [InlineData("bob device:read d1 console -> GRANTED", "remote_access: applies to remote-access:connect only")]
    [InlineData("bob device:fly d1 -> GRANTED", "permission: ")]
    [InlineData("bob! device:read d1 -> GRANTED", "user_id: must be 1..64 characters of [A-Za-z0-9._-]")]
    public void Load_BadAssertion_NamesItsLineAndTheServiceReason(string line, string reason)
    {
        var error = PolicyFiles.LoadError(PolicyFiles.WithAssertions("bob device:read d1 -> GRANTED", line));

        Assert.Equal("assertions[1]", error.Field);
        Assert.Equal(PolicyFiles.Base.Split('\n').Length + 3, error.Line);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BadStructuredAssertion_NamesTheKey()
    {
        var error = PolicyFiles.LoadError(PolicyFiles.WithAssertions("  - {user: bob, permission: device:read, device: d1, expected: GRANTED}"));

        Assert.Equal("assertions[0].expected", error.Field);
        Assert.Contains("unknown key", error.Reason, StringComparison.Ordinal);
    }
}
