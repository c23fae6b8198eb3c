using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Grpc.Validation;
using Qbee.Authz.Service.PolicyTests;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.UnitTests.PolicyTests;

/// <summary>A file's rows are validated as their admin writes validate them (same texts), and as the store would.</summary>
public sealed class PolicyFileLoaderTests
{
    [Fact]
    public void Load_Base_BuildsTheRows()
    {
        var file = PolicyFiles.Load(PolicyFiles.Base);
        var d1 = DeviceNames.IdFor("d1");

        Assert.Equal(64, d1.Length);
        Assert.True(Ids.IsDeviceId(d1));
        Assert.Equal(
            new[] { "root", "prod", d1, "lab", DeviceNames.IdFor("d2"), DeviceNames.IdFor("console"), "unassigned_group" },
            file.Data.Nodes.Select(n => n.NodeId));
        var device = file.Data.Nodes.Single(n => n.NodeId == d1);
        Assert.Equal((NodeKind.Device, "prod", "d1"), (device.Kind, device.ParentId, device.Title));
        Assert.Equal(["prod"], device.Tags);
        Assert.Equal(NodeKind.Group, file.Data.Nodes.Single(n => n.NodeId == "unassigned_group").Kind);
        Assert.Equal("root", file.Data.Nodes.Single(n => n.NodeId == "unassigned_group").ParentId);
        Assert.Contains(file.Data.RemoteAccessSettings, s => s is { TargetKind: RemoteAccessTarget.Node, Target: "lab", Enabled: false });
        Assert.Contains(file.Data.RemoteAccessSettings, s => s is { TargetKind: RemoteAccessTarget.Node, Target: "root", Enabled: true });
        Assert.Equal(UserState.Disabled, file.Data.Users.Single(u => u.UserId == "dan").Status);
        Assert.Equal(["tag:prod/console", "tag:prod/tunnel(proto=tcp;port=22;dst=localhost)", "tag:prod/copy(direction=download;path=/var/log)"],
            file.Data.Roles.Single(r => r.RoleId == "ops").Policies[1].Resources);
    }

    [Fact]
    public void Load_BadResource_GivesTheTextPutRoleGives()
    {
        const string resource = "tag:prod/tunnel(port=0)";
        var service = Assert.Throws<InvalidFieldException>(() => AdminValidator.ToRecord(
            new Role { AccountId = "acme", RoleId = "ops", Name = "Ops", Policies = { new Policy { Permission = "remote-access:connect", Resources = { resource } } } },
            new LimitsOptions()));

        var error = PolicyFiles.LoadError(PolicyFiles.Base.Replace("- tag:prod/console", "- " + resource, StringComparison.Ordinal));

        Assert.Equal("role.policies[0].resources[0]", service.Field);
        Assert.Equal("roles[0].policies[1].resources[0]", error.Field);
        Assert.Equal(service.Reason, error.Reason);
        Assert.Equal(9, error.Line);
    }

    [Theory]
    [InlineData("permission: users:manage", "permission: users:fly", "roles[1].policies[0].permission", "unknown permission")]
    [InlineData("- permission: device:read", "- permission: device:manage\n        resources: [x]", "roles[0].policies[0].resources[0]", "")]
    [InlineData("- permission: users:manage", "- permission: users:manage\n        resources: ['*']", "roles[1].policies[0].resources", "users:manage is not restrictable: it takes no resources")]
    [InlineData("- id: owner\n    name: Owner", "- id: owner\n    name: Ops", "roles[1].name", "role name 'Ops' is taken by role ops")]
    [InlineData("- id: owner", "- id: ops", "roles[1].id", "role 'ops' is listed twice (also roles[0])")]
    [InlineData("- id: owner", "- id: 'own er'", "roles[1].id", "must be 1..64 characters of [A-Za-z0-9._-]")]
    [InlineData("    name: Ops\n", "    name: ''\n", "roles[0].name", "is required")]
    [InlineData("roles: [owner]}", "roles: [boss]}", "users[1].roles[0]", "role boss not found in account acme")]
    [InlineData("roles: [owner]}", "roles: [owner, owner]}", "users[1].roles[1]", "role 'owner' is listed twice")]
    [InlineData("email: olga@acme.example", "email: BOB@acme.example", "users[1].email", "email 'BOB@acme.example' is listed twice (also users[0])")]
    [InlineData("email: olga@acme.example", "email: olga", "users[1].email", "")]
    [InlineData("{id: olga", "{id: bob", "users[1].id", "user 'bob' is listed twice (also users[0])")]
    [InlineData("status: disabled}", "status: gone}", "users[2].status", "must be active or disabled")]
    [InlineData("- group: lab", "- group: prod", "tree.children[1]", "node prod is listed twice (also tree.children[0])")]
    [InlineData("- group: lab", "- group: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "tree.children[1].group", "a group id must not look like a device id (64 lowercase hex)")]
    [InlineData("- group: lab", "- group: lab\n      agent_remote_access_disabled: true", "tree.children[1].agent_remote_access_disabled", "unknown key (expected one of: group, title, tags, remote_access, children)")]
    [InlineData("- device: d2", "- group: unassigned_group", "tree.children[1].children[0].group", "unassigned_group must stay directly under root")]
    [InlineData("- group: lab", "- group: root", "tree.children[1].group", "root is the top of the tree and cannot have a parent")]
    [InlineData("- device: d1", "- device: d1\n          children: []", "tree.children[0].children[0].children", "is a device; only a group can hold nodes")]
    [InlineData("- device: d1", "- device: d1\n          id: ABC", "tree.children[0].children[0].id", "must be a device id: 64 lowercase hex characters")]
    [InlineData("- device: d2", "- device: d1", "tree.children[1].children[0].device", "device name 'd1' is listed twice")]
    [InlineData("- device: d2", "- device: 'd 2'", "tree.children[1].children[0].device", "must be 1..64 characters")]
    [InlineData("tags: [prod]", "tags: [prod, prod]", "tree.children[0].children[0].tags[1]", "tag 'prod' is listed twice")]
    [InlineData("tags: [prod]", "tags: [pr/od]", "tree.children[0].children[0].tags[0]", "must be 1..64 characters of [A-Za-z0-9._-]")]
    [InlineData("remote_access: disabled", "remote_access: off", "tree.children[1].remote_access", "must be enabled or disabled")]
    [InlineData("- device: d1", "- group: g\n          device: d1", "tree.children[0].children[0]", "give exactly one of group: and device:")]
    [InlineData("tree:", "trees:", "trees", "unknown key")]
    [InlineData("{id: acme, name: Acme}", "{id: 'ac me', name: Acme}", "account.id", "must be 1..64 characters")]
    public void Load_RowBreakingARule_ExitsNamingTheFieldAndReason(string find, string replace, string field, string reason)
    {
        Assert.Contains(find, PolicyFiles.Base, StringComparison.Ordinal);

        var error = PolicyFiles.LoadError(PolicyFiles.Base.Replace(find, replace, StringComparison.Ordinal));

        Assert.Equal(field, error.Field);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        Assert.True(error.Line > 0);
    }

    [Fact]
    public void Load_TreeAtMaxDepth_LoadsAndOneDeeperIsRefused()
    {
        static string Tree(int depth)
        {
            var text = "account: {id: a}\ntree:\n";
            var indent = "  ";
            for (var i = 1; i <= depth; i++)
            {
                text += $"{indent}children:\n{indent}  - group: g{i}\n";
                indent += "    ";
            }

            return text;
        }

        Assert.Equal(GroupTree.MaxDepth + 2, PolicyFiles.Load(Tree(GroupTree.MaxDepth)).Data.Nodes.Count);
        var error = PolicyFiles.LoadError(Tree(GroupTree.MaxDepth + 1));
        Assert.Contains("group g33 would be at depth 33 below root; the tree is at most 32 groups deep", error.Reason, StringComparison.Ordinal);
        Assert.Equal(2 + (2 * (GroupTree.MaxDepth + 1)), error.Line);
    }

    [Fact]
    public void Load_TagSettings_LaterWinsUnlessRevisionsAreGiven()
    {
        const string tree = """
            account: {id: a}
            tree:
              children:
                - device: d
                  tags: [x, y]
            """;
        var later = PolicyFiles.Load(tree + "\nremote_access_tags:\n  - {tag: x, remote_access: enabled}\n  - {tag: y, remote_access: disabled}\n"
            + "assertions: []\n");
        var tied = PolicyFiles.Load(tree + "\nremote_access_tags:\n  - {tag: x, remote_access: enabled, changed_revision: 7}\n  - {tag: y, remote_access: disabled, changed_revision: 7}\n");

        Assert.Equal([1L, 2L], later.Data.RemoteAccessSettings.Select(s => s.ChangedRevision));
        Assert.Equal([7L, 7L], tied.Data.RemoteAccessSettings.Select(s => s.ChangedRevision));
        Assert.False(SnapshotCompiler.Compile(later.Data, DateTimeOffset.UnixEpoch).RemoteAccessEnabled(Index(later, "d")));
        Assert.True(SnapshotCompiler.Compile(tied.Data, DateTimeOffset.UnixEpoch).RemoteAccessEnabled(Index(tied, "d")));
    }

    [Theory]
    [InlineData("roles: [\n", 2, "not valid YAML")]
    [InlineData("- a\n- b\n", 1, "must be a mapping")]
    [InlineData("tree: {}\n", 1, "account: is required")]
    [InlineData("account: {id: a}\n---\naccount: {id: b}\n", 1, "exactly one YAML document")]
    public void Load_NotAPolicyFile_SaysWhy(string text, int line, string reason)
    {
        var error = PolicyFiles.LoadError(text);

        Assert.Equal(line, error.Line);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    private static int Index(PolicyTestFile file, string device)
    {
        Assert.True(SnapshotCompiler.Compile(file.Data, DateTimeOffset.UnixEpoch).TryGetNode(DeviceNames.IdFor(device), out var node));
        return node;
    }
}
