using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Evaluation;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Resources;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.PolicyTests;
using Qbee.Authz.Service.UnitTests.Architecture;
using YamlDotNet.RepresentationModel;

namespace Qbee.Authz.Service.UnitTests.PolicyTests;

/// <summary>An account's rows written as a test file read back to the same rows, and to the same decisions.</summary>
public sealed class PolicyTestFileWriterTests
{
    private static readonly string Gateway = new('a', 64);
    private static readonly string Twin1 = "b" + new string('0', 63);
    private static readonly string Twin2 = "c" + new string('0', 63);
    private static readonly string Untitled = "d" + new string('1', 63);
    private static readonly string NamedConsole = "e" + new string('2', 63);

    [Fact]
    public void Write_Sample_ReadsBackToTheSameRowsAndTheSameText()
    {
        var sample = File.ReadAllText(RepositoryFiles.PathOf("samples", "policy-tests", "support-team.yaml"));
        var rows = PolicyFiles.Load(sample).Data;

        var written = PolicyFiles.Write(rows);
        var reread = PolicyFiles.Load(written).Data;

        Assert.Equal(PolicyFiles.Describe(rows), PolicyFiles.Describe(reread));
        Assert.Equal(written, PolicyFiles.Write(reread));
    }

    [Fact]
    public void Write_ExportedAccount_ReadsBackToTheSameRows()
    {
        var rows = Exported();

        var written = PolicyFiles.Write(rows);

        Assert.Equal(PolicyFiles.Describe(rows), PolicyFiles.Describe(PolicyFiles.Load(written).Data));
    }

    [Fact]
    public void Write_ExportedAccount_ReadsBackToTheSameDecisions()
    {
        var rows = Exported();
        var before = SnapshotCompiler.Compile(rows, DateTimeOffset.UnixEpoch);
        var after = SnapshotCompiler.Compile(PolicyFiles.Load(PolicyFiles.Write(rows)).Data, DateTimeOffset.UnixEpoch);
        var queries = new[]
        {
            RemoteAccessQuery.None,
            new RemoteAccessQuery(RemoteAction.Console, TunnelProtocol.None, 0, null, CopyDirection.None, null),
            new RemoteAccessQuery(RemoteAction.Tunnel, TunnelProtocol.Tcp, 22, "localhost", CopyDirection.None, null),
        };

        var compared = 0;
        foreach (var user in rows.Users)
        {
            foreach (var device in rows.Nodes.Where(n => n.Kind == NodeKind.Device))
            {
                foreach (var permission in new[] { Permission.DeviceRead, Permission.DeviceManage, Permission.RemoteAccessConnect })
                {
                    foreach (var query in permission == Permission.RemoteAccessConnect ? queries : [RemoteAccessQuery.None])
                    {
                        var a = NamedCheck.Decide(before, before.Users.GetValueOrDefault(user.UserId), permission, device.NodeId, NodeNaming.Device, query);
                        var b = NamedCheck.Decide(after, after.Users.GetValueOrDefault(user.UserId), permission, device.NodeId, NodeNaming.Device, query);
                        Assert.Equal((a.Reason, a.Grant?.RoleId, a.Grant?.Resource, a.Restricted), (b.Reason, b.Grant?.RoleId, b.Grant?.Resource, b.Restricted));
                        compared++;
                    }
                }
            }
        }

        Assert.Equal(3 * 5 * 5, compared);
    }

    [Fact]
    public void Write_DevicesNamedByTitleWhenUsable_ElseByTheirIdsPrefix()
    {
        var written = PolicyFiles.Write(Exported());

        Assert.Contains("- device: gw-01\n", written, StringComparison.Ordinal);
        Assert.Contains($"- device: device-{Twin1[..12]}\n", written, StringComparison.Ordinal);
        Assert.Contains($"- device: device-{NamedConsole[..12]}\n", written, StringComparison.Ordinal);
        Assert.Contains("title: console", written, StringComparison.Ordinal);
        Assert.Contains("title: \"\"", written, StringComparison.Ordinal);
        Assert.Contains("changed_revision: 9", written, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_CommentedExamples_HoldWhenUncommented()
    {
        var written = PolicyFiles.Write(Exported());
        var examples = written.Split('\n').Count(line => line.StartsWith("  # - ", StringComparison.Ordinal));

        var file = PolicyFiles.Load(written.Replace("  # - ", "  - ", StringComparison.Ordinal));

        Assert.Equal(4, examples); // two per active user
        Assert.Equal(examples, file.Assertions.Count);
        Assert.All(PolicyTestRunner.Run(file), r => Assert.True(r.Passed, r.Assertion.Text + " " + r.Actual.Message));
        Assert.Empty(PolicyFiles.Load(written).Assertions);
    }

    [Fact]
    public void Write_DeviceUnderAMissingParent_LandsInUnassignedGroupAsTheStorePutsIt()
    {
        var rows = Exported() with
        {
            Nodes = [.. Exported().Nodes, new NodeRecord("acme", "f" + new string('3', 63), NodeKind.Device, "gone", "lost", [], false)],
        };

        var lost = PolicyFiles.Load(PolicyFiles.Write(rows)).Data.Nodes.Single(n => n.Title == "lost");

        Assert.Equal(Ids.UnassignedGroup, lost.ParentId);
    }

    [Theory]
    [InlineData("plain-id_1.2")]
    [InlineData("*")]
    [InlineData("tag:prod/tunnel(proto=tcp;port=22,443;dst=localhost)")]
    [InlineData("Gateway 1 (Oslo) # not a comment")]
    [InlineData("true")]
    [InlineData("0123")]
    [InlineData("- dash")]
    [InlineData("a: b")]
    [InlineData("ends:")]
    [InlineData("quote \" and \\ backslash")]
    [InlineData("line\nbreak\ttab")]
    [InlineData("Ærøskøbing ünïcödé")]
    [InlineData("")]
    [InlineData("[x, y]")]
    [InlineData("&anchor")]
    [InlineData("@at")]
    [InlineData("%percent")]
    public void Quote_AnyText_ReadsBackAsTheSameText(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader($"k: {PolicyTestFileWriter.Quote(text)}\nl: [{PolicyTestFileWriter.Quote(text)}]\n"));

        var mapping = (YamlMappingNode)stream.Documents[0].RootNode;
        Assert.Equal(text, ((YamlScalarNode)mapping.Children[new YamlScalarNode("k")]).Value);
        Assert.Equal(text, ((YamlScalarNode)((YamlSequenceNode)mapping.Children[new YamlScalarNode("l")]).Children[0]).Value);
    }

    /// <summary>An account as an export gives it: ids of the real model, titles of all kinds, rows in no order.</summary>
    private static AccountData Exported()
    {
        const string a = "acme";
        return new AccountData(
            new AccountRecord(a, "Acme: \"Fleet\" #1", Revision: 4711, Stamp: 99),
            [
                new RoleRecord(a, "support", "Support: night", "Line one\nline two: \"quoted\" # hash", [
                    new PolicyRecord("device:read", ["*"]),
                    new PolicyRecord("remote-access:connect", ["tag:prod/console", "tag:prod/tunnel(proto=tcp;port=22,443;dst=localhost)", "node:field/copy(direction=download;path=/var/log)"]),
                ]),
                new RoleRecord(a, "default", "Default", string.Empty, [new PolicyRecord("device:manage", []), new PolicyRecord("users:manage", [])]),
                new RoleRecord(a, "empty", "Nothing", string.Empty, []),
            ],
            [
                new UserRecord(a, "u2", "Bob@Acme.example", "Bøb", "O'Neil", ["support"], UserState.Active),
                new UserRecord(a, "u1", "alice@acme.example", string.Empty, string.Empty, ["default", "support"], UserState.Active),
                new UserRecord(a, "u3", "carl@acme.example", string.Empty, string.Empty, [], UserState.Disabled),
            ],
            [
                new NodeRecord(a, Twin2, NodeKind.Device, "field", "Truck", ["prod"], false),
                new NodeRecord(a, "field", NodeKind.Group, "root", "Field units", ["region-north"], false),
                new NodeRecord(a, Ids.Root, NodeKind.Group, string.Empty, "Acme", [], false),
                new NodeRecord(a, Gateway, NodeKind.Device, "vault", "gw-01", ["prod", "eu"], true),
                new NodeRecord(a, "vault", NodeKind.Group, "field", string.Empty, [], false),
                new NodeRecord(a, Twin1, NodeKind.Device, Ids.UnassignedGroup, "Truck", [], false),
                new NodeRecord(a, Untitled, NodeKind.Device, "field", string.Empty, ["eu"], false),
                new NodeRecord(a, NamedConsole, NodeKind.Device, "field", "console", ["prod"], false),
                new NodeRecord(a, Ids.UnassignedGroup, NodeKind.Group, Ids.Root, string.Empty, [], false),
            ],
            [
                new RemoteAccessSettingRecord(RemoteAccessTarget.Node, Ids.Root, true, 3),
                new RemoteAccessSettingRecord(RemoteAccessTarget.Node, "vault", false, 12),
                new RemoteAccessSettingRecord(RemoteAccessTarget.Tag, "eu", false, 9),
                new RemoteAccessSettingRecord(RemoteAccessTarget.Tag, "prod", true, 9),
                new RemoteAccessSettingRecord(RemoteAccessTarget.Tag, "region-north", true, 2),
            ]);
    }
}
