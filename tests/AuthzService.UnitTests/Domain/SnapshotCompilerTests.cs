using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Domain.Evaluation;
using static Qbee.Authz.Service.UnitTests.Domain.DomainFixtures;
using static Qbee.Authz.TestKit.Accounts.AccountRecords;

namespace Qbee.Authz.Service.UnitTests.Domain;

/// <summary>The ancestor chains the compiler builds: root first, self last, and none through a broken tree.</summary>
public sealed class SnapshotCompilerTests
{
    private const string A = "acme";
    private static readonly string Device = new('d', 64);

    /// <summary>g1 under root, g2 under g1, ...: group gN at depth N. Listed bottom-up, so children come before parents.</summary>
    private static IEnumerable<NodeRecord> Chain(int groups) =>
        Enumerable.Range(1, groups).Reverse().Select(i => Group(A, $"g{i}", i == 1 ? Ids.Root : $"g{i - 1}"));

    private static AccountSnapshot CompileNodes(params IEnumerable<NodeRecord> nodes) => CompileNodes([], nodes);

    private static AccountSnapshot CompileNodes(List<string> cutOff, params IEnumerable<NodeRecord> nodes) =>
        SnapshotCompiler.Compile(
            new AccountData(
                new AccountRecord(A, A, 1),
                [Role(A, "top", Policy("device:read", "node:g1")), Role(A, "all", Policy("device:read"))],
                [User(A, "alice", false, "top"), User(A, "erin", false, "all")],
                [Group(A, Ids.Root, ""), Group(A, Ids.UnassignedGroup, Ids.Root), .. nodes],
                []),
            BuiltAt,
            cutOff: cutOff);

    private static string[] AncestorIds(AccountSnapshot snapshot, string nodeId)
    {
        Assert.True(snapshot.TryGetNode(nodeId, out var node), nodeId);
        return snapshot.AncestorsOf(node).ToArray().Select(n => snapshot.NodeIds[n]).ToArray();
    }

    [Fact]
    public void Compile_DeviceUnderGroupAtDepth32_ChainRunsFromRootThroughEveryGroup()
    {
        var cutOff = new List<string>();
        var snapshot = CompileNodes(cutOff, [.. Chain(32), Device(A, Device, "g32", false)]);

        string[] expected = [Ids.Root, .. Enumerable.Range(1, 32).Select(i => $"g{i}"), Device];
        Assert.Equal(expected, AncestorIds(snapshot, Device));
        Assert.Equal(expected[..^1], AncestorIds(snapshot, "g32"));
        Assert.Equal(DecisionReason.Granted, Check(snapshot, "alice", "device:read", Device, default).Reason);
        Assert.Empty(cutOff);
    }

    [Fact]
    public void Compile_GroupDeeperThan32_IsCutOffWithItsSubtree()
    {
        // Only an older store can hold this: the chain stops at g33, so g1's grant reaches nothing below it.
        var cutOff = new List<string>();
        var snapshot = CompileNodes(cutOff, [.. Chain(40), Device(A, Device, "g40", false)]);

        Assert.Equal(["g33"], AncestorIds(snapshot, "g33"));
        Assert.Equal(["g40"], AncestorIds(snapshot, "g40"));
        Assert.Equal([Device], AncestorIds(snapshot, Device));
        Assert.Equal(33, AncestorIds(snapshot, "g32").Length);
        Assert.Equal(DecisionReason.DeviceOutOfScope, Check(snapshot, "alice", "device:read", Device, default).Reason);
        Assert.Equal(DecisionReason.Granted, Check(snapshot, "erin", "device:read", Device, default).Reason);
        Assert.Equal(["g33"], cutOff);
    }

    [Fact]
    public void Compile_CyclicParentLinks_GiveEachNodeOnlyItselfAndNoGroupGrantReachesBelow()
    {
        // g1 -> x -> y -> x: x and y never reach root, nor does the device under y.
        var cutOff = new List<string>();
        var snapshot = CompileNodes(
            cutOff, Group(A, "g1", Ids.Root), Group(A, "x", "y"), Group(A, "y", "x"), Device(A, Device, "y", false));

        Assert.Equal(["x"], AncestorIds(snapshot, "x"));
        Assert.Equal(["y"], AncestorIds(snapshot, "y"));
        Assert.Equal([Device], AncestorIds(snapshot, Device));
        Assert.Equal([Ids.Root, "g1"], AncestorIds(snapshot, "g1"));
        Assert.Equal(DecisionReason.DeviceOutOfScope, Check(snapshot, "alice", "device:read", Device, default).Reason);
        Assert.Equal(["x", "y"], cutOff.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Compile_MissingParent_GivesTheSubtreeOnlyItself()
    {
        var cutOff = new List<string>();
        var snapshot = CompileNodes(cutOff, Group(A, "g1", "gone"), Group(A, "g2", "g1"), Device(A, Device, "g2", false));

        Assert.Equal(["g1"], AncestorIds(snapshot, "g1"));
        Assert.Equal(["g2"], AncestorIds(snapshot, "g2"));
        Assert.Equal([Device], AncestorIds(snapshot, Device));
        Assert.Equal(DecisionReason.DeviceOutOfScope, Check(snapshot, "alice", "device:read", Device, default).Reason);
        Assert.Equal(["g1"], cutOff);
    }

    [Fact]
    public void Compile_NodesListedChildrenFirst_SameChainsAsParentsFirst()
    {
        NodeRecord[] nodes = [.. Chain(5), Device(A, Device, "g5", false), Group(A, "h1", "g2")];

        var childrenFirst = CompileNodes(nodes);
        var parentsFirst = CompileNodes(nodes.Reverse());

        foreach (var node in nodes)
        {
            Assert.Equal(AncestorIds(parentsFirst, node.NodeId), AncestorIds(childrenFirst, node.NodeId));
        }

        Assert.Equal([Ids.Root, "g1", "g2", "h1"], AncestorIds(childrenFirst, "h1"));
    }
}
