using System.Text;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Resources;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Domain.Evaluation;
using static Qbee.Authz.Service.UnitTests.Domain.DomainFixtures;
using static Qbee.Authz.TestKit.Accounts.AccountRecords;

namespace Qbee.Authz.Service.UnitTests.Domain;

public sealed class EvaluatorTests
{
    private const string A = "acme";
    private const long Revision = 42;

    // root ─┬─ unassigned_group ── d9 []
    //       ├─ eu [group tag: lab] ─┬─ berlin ─┬─ d1 [prod, linux]
    //       │                       │          ├─ d2 [lab]
    //       │                       │          ├─ d6 [lab]      own setting: enabled
    //       │                       │          └─ d8 [prod]     own setting: disabled
    //       │                       └─ d3 [prod]  agent --disable-remote-access, own setting enabled
    //       └─ us ─┬─ d4 [lab, prod]
    //              ├─ d5 []
    //              └─ d7 [prod, lab]
    // remote access: root enabled, eu enabled, us disabled, tag lab disabled (rev 5), tag prod enabled (rev 7)
    internal static AccountData Data() => new(
        new AccountRecord(A, "Acme", Revision),
        [
            Role(A, "admin", PermissionCatalog.CanonicalNames.Select(n => Policy(n)).ToArray()),
            Role(A, "readers", Policy("device:read", "tag:prod"), Policy("reports:read", "node:berlin")),
            Role(A, "ops", Policy("remote-access:connect",
                "node:eu/console",
                "tag:lab/tunnel(proto=tcp;port=22,8000-8080;dst=localhost)",
                "node:us/copy(direction=download;path=/var/log)")),
            Role(A, "connect-all", Policy("remote-access:connect")),
            Role(A, "inv", Policy("inventory:read")),
            Role(A, "ghost", Policy("device:read", "node:does-not-exist", "tag:nobody-has")),
            Role(A, "each-action", Policy("remote-access:connect", "*/console", "*/reload", "*/tunnel(port=22)", "*/copy(direction=upload)")),
            Role(A, "connect-star-console", Policy("remote-access:connect", "*/console")),
            Role(A, "root-reader", Policy("device:read", "node:root")),
        ],
        [
            User(A, "alice", false, "admin"),
            User(A, "bob", false, "readers"),
            User(A, "carol", false, "ops"),
            User(A, "dave", true, "readers", "inv"),
            User(A, "erin", false, "connect-all"),
            User(A, "frank", false),
            User(A, "gina", false, "ghost"),
            User(A, "hank", false, "readers", "missing-role", "ops"),
            User(A, "ivan", false, "each-action"),
            User(A, "judy", false, "connect-star-console"),
            User(A, "kim", false, "root-reader"),
        ],
        [
            Group(A, "root", ""),
            Group(A, "unassigned_group", "root"),
            Group(A, "eu", "root", "lab"),
            Group(A, "berlin", "eu"),
            Group(A, "us", "root"),
            Device(A, Dev(1), "berlin", false, "prod", "linux"),
            Device(A, Dev(2), "berlin", false, "lab"),
            Device(A, Dev(3), "eu", true, "prod"),
            Device(A, Dev(4), "us", false, "lab", "prod"),
            Device(A, Dev(5), "us", false),
            Device(A, Dev(6), "berlin", false, "lab"),
            Device(A, Dev(7), "us", false, "prod", "lab"),
            Device(A, Dev(8), "berlin", false, "prod"),
            Device(A, Dev(9), "unassigned_group", false),
        ],
        [
            NodeSetting("root", true),
            NodeSetting("eu", true),
            NodeSetting("us", false),
            NodeSetting(Dev(6), true),
            NodeSetting(Dev(8), false),
            NodeSetting(Dev(3), true),
            TagSetting("lab", false, 5),
            TagSetting("prod", true, 7),
        ]);

    private static readonly AccountSnapshot Snapshot = Compile(Data());

    internal static string Dev(int n) => n.ToString("x64");

    /// <summary>"d4" is device 4, "missing" a well-formed device id that no account has, anything else a node id.</summary>
    private static string? Target(string? name) => name switch
    {
        null => null,
        "missing" => Dev(0xdead),
        ['d', var digit] when char.IsAsciiDigit(digit) => Dev(digit - '0'),
        _ => name,
    };

    private static readonly Dictionary<string, RemoteAccessQuery> Queries = new()
    {
        ["none"] = RemoteAccessQuery.None,
        ["console"] = Plain(RemoteAction.Console),
        ["reload"] = Plain(RemoteAction.Reload),
        ["tunnel tcp 22 localhost"] = Tunnel(TunnelProtocol.Tcp, 22, "localhost"),
        ["tunnel udp 22 localhost"] = Tunnel(TunnelProtocol.Udp, 22, "localhost"),
        ["tunnel tcp 23 localhost"] = Tunnel(TunnelProtocol.Tcp, 23, "localhost"),
        ["tunnel tcp 7999 localhost"] = Tunnel(TunnelProtocol.Tcp, 7999, "localhost"),
        ["tunnel tcp 8000 localhost"] = Tunnel(TunnelProtocol.Tcp, 8000, "localhost"),
        ["tunnel tcp 8080 localhost"] = Tunnel(TunnelProtocol.Tcp, 8080, "localhost"),
        ["tunnel tcp 8081 localhost"] = Tunnel(TunnelProtocol.Tcp, 8081, "localhost"),
        ["tunnel tcp 22 10.0.0.1"] = Tunnel(TunnelProtocol.Tcp, 22, "10.0.0.1"),
        ["tunnel tcp 22 -"] = Tunnel(TunnelProtocol.Tcp, 22, null),
        ["tunnel - 22 localhost"] = Tunnel(TunnelProtocol.None, 22, "localhost"),
        ["tunnel tcp - localhost"] = Tunnel(TunnelProtocol.Tcp, 0, "localhost"),
        ["copy download /var/log"] = Copy(CopyDirection.Download, "/var/log"),
        ["copy download /var/log/syslog"] = Copy(CopyDirection.Download, "/var/log/syslog"),
        ["copy download /var/log/../log/x"] = Copy(CopyDirection.Download, "/var/log/../log/x"),
        ["copy download /var/log/../../etc/passwd"] = Copy(CopyDirection.Download, "/var/log/../../etc/passwd"),
        ["copy download /var/log/x/../../../etc"] = Copy(CopyDirection.Download, "/var/log/x/../../../etc"),
        ["copy download /var/logs/x"] = Copy(CopyDirection.Download, "/var/logs/x"),
        ["copy download /var"] = Copy(CopyDirection.Download, "/var"),
        ["copy upload /var/log/syslog"] = Copy(CopyDirection.Upload, "/var/log/syslog"),
        ["copy - /var/log/syslog"] = Copy(CopyDirection.None, "/var/log/syslog"),
        ["copy download -"] = Copy(CopyDirection.Download, null),
        ["copy upload -"] = Copy(CopyDirection.Upload, null),
    };

    [Theory]
    // user not found
    [InlineData("nobody", "device:read", "d1", "none", DecisionReason.UserNotFound)]
    [InlineData("nobody", "inventory:read", null, "none", DecisionReason.UserNotFound)]
    [InlineData("nobody", "device:read", "missing", "none", DecisionReason.UserNotFound)]
    [InlineData("Alice", "device:read", "d1", "none", DecisionReason.UserNotFound)]
    // user disabled, before everything after it
    [InlineData("dave", "device:read", "d1", "none", DecisionReason.UserDisabled)]
    [InlineData("dave", "inventory:read", null, "none", DecisionReason.UserDisabled)]
    [InlineData("dave", "device:read", "missing", "none", DecisionReason.UserDisabled)]
    [InlineData("dave", "device:manage", "d2", "none", DecisionReason.UserDisabled)]
    // device not found: unknown id, a group named as a device; before the permission
    [InlineData("alice", "device:read", "missing", "none", DecisionReason.DeviceNotFound)]
    [InlineData("alice", "device:read", "eu", "none", DecisionReason.DeviceNotFound)]
    [InlineData("alice", "device:read", "root", "none", DecisionReason.DeviceNotFound)]
    [InlineData("alice", "remote-access:connect", "missing", "console", DecisionReason.DeviceNotFound)]
    [InlineData("frank", "device:read", "missing", "none", DecisionReason.DeviceNotFound)]
    [InlineData("bob", "remote-access:connect", "missing", "none", DecisionReason.DeviceNotFound)]
    [InlineData("bob", "reports:markread", "berlin", "none", DecisionReason.DeviceNotFound)]
    // permission not granted
    [InlineData("frank", "device:read", "d1", "none", DecisionReason.PermissionNotGranted)]
    [InlineData("frank", "device:read", null, "none", DecisionReason.PermissionNotGranted)]
    [InlineData("frank", "inventory:read", null, "none", DecisionReason.PermissionNotGranted)]
    [InlineData("bob", "device:manage", "d1", "none", DecisionReason.PermissionNotGranted)]
    [InlineData("bob", "reports:acknowledge", "d1", "none", DecisionReason.PermissionNotGranted)]
    [InlineData("bob", "inventory:read", "missing", "none", DecisionReason.PermissionNotGranted)]
    [InlineData("carol", "remote-access:manage", "d4", "none", DecisionReason.PermissionNotGranted)]
    // scope: tag, node at any depth, the device itself
    [InlineData("bob", "device:read", "d1", "none", DecisionReason.Granted)]
    [InlineData("bob", "device:read", "d4", "none", DecisionReason.Granted)]
    [InlineData("bob", "device:read", "d2", "none", DecisionReason.DeviceOutOfScope)]
    [InlineData("bob", "device:read", "d5", "none", DecisionReason.DeviceOutOfScope)]
    [InlineData("bob", "reports:read", "d1", "none", DecisionReason.Granted)]
    [InlineData("bob", "reports:read", "d2", "none", DecisionReason.Granted)]
    [InlineData("bob", "reports:read", "d3", "none", DecisionReason.DeviceOutOfScope)]
    [InlineData("bob", "reports:read", "d4", "none", DecisionReason.DeviceOutOfScope)]
    [InlineData("gina", "device:read", "d1", "none", DecisionReason.DeviceOutOfScope)]
    [InlineData("kim", "device:read", "d9", "none", DecisionReason.Granted)]
    [InlineData("hank", "device:read", "d7", "none", DecisionReason.Granted)]
    [InlineData("hank", "device:read", "d5", "none", DecisionReason.DeviceOutOfScope)]
    // a group tag is not a device tag: eu carries "lab", d3 under eu does not
    [InlineData("carol", "remote-access:connect", "d3", "tunnel tcp 22 localhost", DecisionReason.ActionNotGranted)]
    // non-restrictable permissions ignore the device
    [InlineData("alice", "inventory:read", "missing", "none", DecisionReason.Granted)]
    [InlineData("alice", "inventory:read", "eu", "none", DecisionReason.Granted)]
    [InlineData("alice", "device:approve", "d1", "none", DecisionReason.Granted)]
    [InlineData("hank", "inventory:read", "d1", "none", DecisionReason.PermissionNotGranted)]
    // actions and their options (carol: node:eu/console, tag:lab/tunnel(...), node:us/copy(...))
    [InlineData("carol", "remote-access:connect", "d1", "console", DecisionReason.Granted)]
    [InlineData("carol", "remote-access:connect", "d1", "reload", DecisionReason.ActionNotGranted)]
    [InlineData("carol", "remote-access:connect", "d1", "tunnel tcp 22 localhost", DecisionReason.ActionNotGranted)]
    [InlineData("carol", "remote-access:connect", "d9", "console", DecisionReason.DeviceOutOfScope)]
    [InlineData("carol", "remote-access:connect", "d9", "none", DecisionReason.DeviceOutOfScope)]
    [InlineData("carol", "remote-access:connect", "d4", "tunnel tcp 22 localhost", DecisionReason.Granted)]
    [InlineData("carol", "remote-access:connect", "d4", "tunnel tcp 8000 localhost", DecisionReason.Granted)]
    [InlineData("carol", "remote-access:connect", "d4", "tunnel tcp 8080 localhost", DecisionReason.Granted)]
    [InlineData("carol", "remote-access:connect", "d4", "tunnel tcp 7999 localhost", DecisionReason.ActionNotGranted)]
    [InlineData("carol", "remote-access:connect", "d4", "tunnel tcp 8081 localhost", DecisionReason.ActionNotGranted)]
    [InlineData("carol", "remote-access:connect", "d4", "tunnel tcp 23 localhost", DecisionReason.ActionNotGranted)]
    [InlineData("carol", "remote-access:connect", "d4", "tunnel udp 22 localhost", DecisionReason.ActionNotGranted)]
    [InlineData("carol", "remote-access:connect", "d4", "tunnel tcp 22 10.0.0.1", DecisionReason.ActionNotGranted)]
    [InlineData("carol", "remote-access:connect", "d4", "tunnel tcp 22 -", DecisionReason.ActionNotGranted)]
    [InlineData("carol", "remote-access:connect", "d4", "tunnel - 22 localhost", DecisionReason.ActionNotGranted)]
    [InlineData("carol", "remote-access:connect", "d4", "tunnel tcp - localhost", DecisionReason.ActionNotGranted)]
    [InlineData("carol", "remote-access:connect", "d4", "console", DecisionReason.ActionNotGranted)]
    [InlineData("carol", "remote-access:connect", "d4", "reload", DecisionReason.ActionNotGranted)]
    [InlineData("carol", "remote-access:connect", "d4", "copy download /var/log", DecisionReason.Granted)]
    [InlineData("carol", "remote-access:connect", "d4", "copy download /var/log/syslog", DecisionReason.Granted)]
    [InlineData("carol", "remote-access:connect", "d4", "copy download /var/log/../log/x", DecisionReason.Granted)]
    [InlineData("carol", "remote-access:connect", "d4", "copy download /var/log/../../etc/passwd", DecisionReason.ActionNotGranted)]
    [InlineData("carol", "remote-access:connect", "d4", "copy download /var/log/x/../../../etc", DecisionReason.ActionNotGranted)]
    [InlineData("carol", "remote-access:connect", "d4", "copy download /var/logs/x", DecisionReason.ActionNotGranted)]
    [InlineData("carol", "remote-access:connect", "d4", "copy download /var", DecisionReason.ActionNotGranted)]
    [InlineData("carol", "remote-access:connect", "d4", "copy upload /var/log/syslog", DecisionReason.ActionNotGranted)]
    [InlineData("carol", "remote-access:connect", "d4", "copy - /var/log/syslog", DecisionReason.ActionNotGranted)]
    [InlineData("carol", "remote-access:connect", "d4", "copy download -", DecisionReason.ActionNotGranted)]
    [InlineData("ivan", "remote-access:connect", "d4", "copy upload -", DecisionReason.Granted)]
    [InlineData("ivan", "remote-access:connect", "d4", "copy download -", DecisionReason.ActionNotGranted)]
    [InlineData("ivan", "remote-access:connect", "d4", "tunnel - 22 localhost", DecisionReason.Granted)]
    [InlineData("ivan", "remote-access:connect", "d4", "tunnel tcp - localhost", DecisionReason.ActionNotGranted)]
    // remote access availability comes last
    [InlineData("carol", "remote-access:connect", "d2", "tunnel tcp 22 localhost", DecisionReason.RemoteAccessDisabled)]
    [InlineData("carol", "remote-access:connect", "d5", "copy download /var/log/x/../../../etc", DecisionReason.ActionNotGranted)]
    [InlineData("carol", "remote-access:connect", "d5", "copy download /var/log/syslog", DecisionReason.RemoteAccessDisabled)]
    [InlineData("carol", "remote-access:connect", "d5", "console", DecisionReason.ActionNotGranted)]
    [InlineData("erin", "remote-access:connect", "d1", "console", DecisionReason.Granted)] // tag prod enabled
    [InlineData("erin", "remote-access:connect", "d2", "console", DecisionReason.RemoteAccessDisabled)] // tag lab beats group eu
    [InlineData("erin", "remote-access:connect", "d3", "console", DecisionReason.RemoteAccessDisabled)] // agent beats own setting
    [InlineData("erin", "remote-access:connect", "d4", "console", DecisionReason.Granted)] // prod (rev 7) beats lab (rev 5) and us
    [InlineData("erin", "remote-access:connect", "d7", "console", DecisionReason.Granted)] // same, tags in the other order
    [InlineData("erin", "remote-access:connect", "d5", "console", DecisionReason.RemoteAccessDisabled)] // nearest group us beats root
    [InlineData("erin", "remote-access:connect", "d6", "console", DecisionReason.Granted)] // own setting beats tag lab
    [InlineData("erin", "remote-access:connect", "d8", "console", DecisionReason.RemoteAccessDisabled)] // own setting beats tag prod
    [InlineData("erin", "remote-access:connect", "d9", "none", DecisionReason.Granted)] // root (account) setting
    [InlineData("erin", "remote-access:connect", "d2", "none", DecisionReason.RemoteAccessDisabled)]
    [InlineData("alice", "remote-access:manage", "d3", "none", DecisionReason.Granted)] // only connect needs the device to accept
    [InlineData("alice", "device:read", "d3", "none", DecisionReason.Granted)]
    public void Check_Table_ReasonAsDocumented(string user, string permission, string? device, string query, DecisionReason expected)
    {
        var decision = Check(Snapshot, user, permission, Target(device), Queries[query]);
        Assert.Equal(expected, decision.Reason);
        Assert.Equal(expected == DecisionReason.Granted, decision.Allowed);
        Assert.Equal(Revision, decision.Revision);
        Assert.Equal(decision.Allowed, decision.Grant is not null);
    }

    [Theory]
    // an API call's {node_id}/{group_id}: a group is covered by * or by node: at or above it, never by tag:
    [InlineData("alice", "device:read", "eu", DecisionReason.Granted)]
    [InlineData("alice", "device:read", "root", DecisionReason.Granted)]
    [InlineData("bob", "device:read", "eu", DecisionReason.DeviceOutOfScope)]
    [InlineData("bob", "reports:read", "berlin", DecisionReason.Granted)]
    [InlineData("bob", "reports:read", "eu", DecisionReason.DeviceOutOfScope)]
    [InlineData("bob", "reports:read", "root", DecisionReason.DeviceOutOfScope)]
    [InlineData("kim", "device:read", "us", DecisionReason.Granted)]
    [InlineData("bob", "device:read", "d1", DecisionReason.Granted)]
    [InlineData("bob", "device:read", "nowhere", DecisionReason.DeviceNotFound)]
    [InlineData("frank", "device:read", "eu", DecisionReason.PermissionNotGranted)]
    public void Check_GroupNamedByApiCall_CoveredByStarOrNodeOnly(string user, string permission, string node, DecisionReason expected)
    {
        Assert.Equal(expected, Check(Snapshot, user, permission, Target(node), RemoteAccessQuery.None, anyNode: true).Reason);
    }

    [Fact]
    public void Check_GroupTaggedLikeTheGrant_TagGrantDoesNotCoverTheGroup()
    {
        // eu carries the tag "lab"; carol's tag:lab grant must still not reach the group itself.
        var data = Data() with { Roles = [Role(A, "labs", Policy("device:read", "tag:lab"))], Users = [User(A, "u", false, "labs")] };
        var snapshot = Compile(data);
        Assert.Equal(DecisionReason.DeviceOutOfScope, Check(snapshot, "u", "device:read", "eu", RemoteAccessQuery.None, anyNode: true).Reason);
        Assert.Equal(DecisionReason.Granted, Check(snapshot, "u", "device:read", Dev(2), RemoteAccessQuery.None).Reason);
    }

    [Theory]
    [InlineData("alice", "device:read", "none", DecisionReason.Granted, false)]
    [InlineData("bob", "device:read", "none", DecisionReason.Granted, true)]
    [InlineData("kim", "device:read", "none", DecisionReason.Granted, true)]
    [InlineData("gina", "device:read", "none", DecisionReason.Granted, true)] // holds it, on resources that match nothing
    [InlineData("alice", "inventory:read", "none", DecisionReason.Granted, false)]
    [InlineData("erin", "remote-access:connect", "none", DecisionReason.Granted, false)]
    [InlineData("erin", "remote-access:connect", "tunnel udp 22 localhost", DecisionReason.Granted, false)]
    [InlineData("carol", "remote-access:connect", "none", DecisionReason.Granted, true)]
    [InlineData("carol", "remote-access:connect", "console", DecisionReason.Granted, true)]
    [InlineData("carol", "remote-access:connect", "tunnel tcp 22 localhost", DecisionReason.Granted, true)]
    [InlineData("carol", "remote-access:connect", "reload", DecisionReason.ActionNotGranted, false)]
    [InlineData("carol", "remote-access:connect", "tunnel udp 22 localhost", DecisionReason.ActionNotGranted, false)]
    [InlineData("carol", "remote-access:connect", "copy download /var/log/../../etc/passwd", DecisionReason.ActionNotGranted, false)]
    [InlineData("judy", "remote-access:connect", "none", DecisionReason.Granted, true)] // every device, console only
    [InlineData("judy", "remote-access:connect", "console", DecisionReason.Granted, false)]
    [InlineData("judy", "remote-access:connect", "reload", DecisionReason.ActionNotGranted, false)]
    [InlineData("frank", "remote-access:connect", "none", DecisionReason.PermissionNotGranted, false)]
    public void Check_WithoutDevice_AllowedWhenHeldAnywhere_RestrictedWhenNotEverywhere(string user, string permission, string query, DecisionReason expected, bool restricted)
    {
        var decision = Check(Snapshot, user, permission, null, Queries[query]);
        Assert.Equal(expected, decision.Reason);
        Assert.Equal(restricted, decision.Restricted);
    }

    [Theory]
    [InlineData("erin", "d1", false)] // no action restriction
    [InlineData("carol", "d1", true)] // console only
    [InlineData("carol", "d4", true)] // tunnel and copy, each restricted
    [InlineData("judy", "d1", true)]
    [InlineData("alice", "d1", false)]
    public void Check_ConnectOnDeviceWithoutAction_RestrictedWhenNotEveryAction(string user, string device, bool restricted)
    {
        var decision = Check(Snapshot, user, "remote-access:connect", Target(device), RemoteAccessQuery.None);
        Assert.True(decision.Allowed);
        Assert.Equal(restricted, decision.Restricted);
    }

    [Theory]
    [InlineData("bob", "device:read", "d1")]
    [InlineData("alice", "device:read", "d1")]
    [InlineData("carol", "remote-access:connect", "d1")]
    public void Check_DeviceNamedWithAction_NeverRestricted(string user, string permission, string device)
    {
        var query = permission == "remote-access:connect" ? Queries["console"] : RemoteAccessQuery.None;
        Assert.False(Check(Snapshot, user, permission, Target(device), query).Restricted);
    }

    [Theory]
    [InlineData("alice", "device:read", "d1", "none", "admin", "*")]
    [InlineData("bob", "device:read", "d1", "none", "readers", "tag:prod")]
    [InlineData("bob", "reports:read", "d2", "none", "readers", "node:berlin")]
    [InlineData("carol", "remote-access:connect", "d4", "copy download /var/log/syslog", "ops", "node:us/copy(direction=download;path=/var/log)")]
    [InlineData("carol", "remote-access:connect", "d4", "tunnel tcp 22 localhost", "ops", "tag:lab/tunnel(proto=tcp;port=22,8000-8080;dst=localhost)")]
    [InlineData("hank", "remote-access:connect", "d6", "console", "ops", "node:eu/console")]
    [InlineData("erin", "remote-access:connect", null, "none", "connect-all", "*")]
    [InlineData("alice", "billing:read", null, "none", "admin", "*")]
    public void Check_Granted_ReportsTheMatchingRoleAndResource(string user, string permission, string? device, string query, string roleId, string resource)
    {
        var decision = Check(Snapshot, user, permission, Target(device), Queries[query]);
        Assert.True(decision.Allowed);
        Assert.Equal(roleId, decision.Grant!.RoleId);
        Assert.Equal(resource, decision.Grant.Resource);
    }

    [Fact]
    public void Check_NonRestrictablePermission_SameAnswerWithAndWithoutDevice()
    {
        foreach (var user in Snapshot.Users.Keys.Append("nobody"))
        {
            foreach (var name in PermissionCatalog.CanonicalNames.Where(n => !PermissionCatalog.IsRestrictable(PermissionCatalog.Require(n, "p"))))
            {
                var without = Check(Snapshot, user, name, null, RemoteAccessQuery.None);
                foreach (var device in new[] { Dev(1), Dev(3), Dev(0xdead), "eu" })
                {
                    var with = Check(Snapshot, user, name, device, RemoteAccessQuery.None);
                    Assert.Equal(without.Reason, with.Reason);
                    Assert.Equal(without.Restricted, with.Restricted);
                }
            }
        }
    }

    [Fact]
    public void Check_Explain_MentionsUserRolesResourcesAndPath()
    {
        var explain = new StringBuilder();
        var decision = Check(Snapshot, "hank", "device:read", Dev(5), RemoteAccessQuery.None, explain: explain);
        Assert.Equal(DecisionReason.DeviceOutOfScope, decision.Reason);
        var text = explain.ToString();
        Assert.Contains("hank", text, StringComparison.Ordinal);
        Assert.Contains("readers", text, StringComparison.Ordinal);
        Assert.Contains("ops", text, StringComparison.Ordinal);
        Assert.DoesNotContain("missing-role", text, StringComparison.Ordinal);
        Assert.Contains("tag:prod", text, StringComparison.Ordinal);
        Assert.Contains("root > us > " + Dev(5), text, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ExplainRemoteAccessDisabled_SaysSo()
    {
        var explain = new StringBuilder();
        var decision = Check(Snapshot, "erin", "remote-access:connect", Dev(3), Queries["console"], explain: explain);
        Assert.Equal(DecisionReason.RemoteAccessDisabled, decision.Reason);
        Assert.Contains("connect-all", explain.ToString(), StringComparison.Ordinal);
        Assert.Contains("Remote access is not enabled", explain.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_WithAndWithoutExplain_SameDecision()
    {
        foreach (var user in new[] { "alice", "bob", "carol", "dave", "erin", "nobody" })
        {
            foreach (var (_, query) in Queries)
            {
                foreach (var device in new[] { Dev(1), Dev(2), Dev(4), Dev(5), Dev(0xdead), null })
                {
                    var plain = Check(Snapshot, user, "remote-access:connect", device, query);
                    var explained = Check(Snapshot, user, "remote-access:connect", device, query, explain: new StringBuilder());
                    Assert.Equal(plain, explained);
                }
            }
        }
    }

    [Fact]
    public void Check_NoRemoteAccessSettingAnywhere_Disabled()
    {
        var data = Data() with { RemoteAccessSettings = [] };
        var snapshot = Compile(data);
        foreach (var device in Enumerable.Range(1, 9).Select(Dev))
        {
            Assert.Equal(DecisionReason.RemoteAccessDisabled, Check(snapshot, "erin", "remote-access:connect", device, Queries["console"]).Reason);
        }
    }

    [Fact]
    public void Check_DeviceOfAnotherAccount_DeviceNotFoundForEveryone()
    {
        var other = new AccountData(
            new AccountRecord("other", "Other", 1),
            [Role("other", "admin", Policy("device:read"))],
            [User("other", "olga", false, "admin")],
            [Group("other", "root", ""), Device("other", Dev(0xbeef), "root", false, "prod")],
            [NodeSetting("root", true)]);
        var otherSnapshot = Compile(other);
        Assert.True(Check(otherSnapshot, "olga", "device:read", Dev(0xbeef), RemoteAccessQuery.None).Allowed);
        foreach (var user in new[] { "alice", "bob", "erin", "kim" })
        {
            foreach (var permission in new[] { "device:read", "device:manage", "remote-access:connect", "remote-access:manage", "reports:read", "reports:acknowledge" })
            {
                Assert.Equal(DecisionReason.DeviceNotFound, Check(Snapshot, user, permission, Dev(0xbeef), RemoteAccessQuery.None).Reason);
            }
        }
    }

    [Fact]
    public void Compile_InvalidStoredResources_GrantNothing()
    {
        var skipped = new List<string>();
        var data = Data() with
        {
            Roles = [Role(A, "bad", Policy("device:read", "tag:a b", "bogus"), Policy("inventory:read", "tag:prod"), Policy("no-such:perm"))],
            Users = [User(A, "u", false, "bad")],
        };
        var snapshot = SnapshotCompiler.Compile(data, BuiltAt, skipped);
        Assert.Equal(4, skipped.Count);
        Assert.Equal(DecisionReason.PermissionNotGranted, Check(snapshot, "u", "device:read", Dev(1), RemoteAccessQuery.None).Reason);
        Assert.Equal(DecisionReason.PermissionNotGranted, Check(snapshot, "u", "device:read", null, RemoteAccessQuery.None).Reason);
        Assert.Equal(DecisionReason.PermissionNotGranted, Check(snapshot, "u", "inventory:read", null, RemoteAccessQuery.None).Reason);
    }

    [Fact]
    public void Check_UserOfTwoRoles_HasTheUnion()
    {
        // hank = readers + ops: device:read from readers, connect from ops.
        Assert.True(Check(Snapshot, "hank", "device:read", Dev(1), RemoteAccessQuery.None).Allowed);
        Assert.True(Check(Snapshot, "hank", "remote-access:connect", Dev(1), Queries["console"]).Allowed);
        Assert.False(Check(Snapshot, "bob", "remote-access:connect", Dev(1), Queries["console"]).Allowed);
        Assert.False(Check(Snapshot, "carol", "device:read", Dev(1), RemoteAccessQuery.None).Allowed);
    }
}
