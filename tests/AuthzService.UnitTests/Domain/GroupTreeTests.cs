using Qbee.Authz.Service.Domain;

namespace Qbee.Authz.Service.UnitTests.Domain;

public sealed class GroupTreeTests
{
    /// <summary>root, then g1 under root, g2 under g1, ...: gN at depth N.</summary>
    private static GroupTree Chain(int groups, params (string, string)[] more) =>
        new([(Ids.Root, ""), .. Enumerable.Range(1, groups).Select(i => ($"g{i}", i == 1 ? Ids.Root : $"g{i - 1}")), .. more]);

    [Fact]
    public void DepthOf_ChainOf32_CountsGroupsBelowRoot()
    {
        var tree = Chain(32);

        Assert.Equal((0, 1, 32), (tree.DepthOf(Ids.Root), tree.DepthOf("g1"), tree.DepthOf("g32")));
    }

    [Fact]
    public void DepthOf_DeeperThanTheLimit_StopsOneAboveIt()
    {
        Assert.Equal(GroupTree.MaxDepth + 1, Chain(1000).DepthOf("g1000"));
    }

    [Fact]
    public void DepthOf_BrokenOrCyclicChain_IsDetachedOrTooDeep()
    {
        var tree = Chain(2, ("x", "gone"), ("p", "q"), ("q", "p"));

        Assert.Equal(GroupTree.Detached, tree.DepthOf("x"));
        Assert.Equal(GroupTree.MaxDepth + 1, tree.DepthOf("p"));
    }

    [Fact]
    public void IsAtOrBelow_AncestorSelfAndStranger_AnswersByTheChain()
    {
        var tree = Chain(3, ("h1", "g1"));

        Assert.True(tree.IsAtOrBelow("g3", "g1"));
        Assert.True(tree.IsAtOrBelow("g3", "g3"));
        Assert.False(tree.IsAtOrBelow("g1", "g3"));
        Assert.False(tree.IsAtOrBelow("h1", "g2"));
    }

    [Fact]
    public void HeightBelow_Subtree_CountsItsDeepestLevelAndStopsPastTheLimit()
    {
        var tree = Chain(10, ("h1", "g1"));

        Assert.Equal(9, tree.HeightBelow("g1", 32));
        Assert.Equal(0, tree.HeightBelow("g10", 32));
        Assert.Equal(5, tree.HeightBelow("g1", 4));
    }

    [Fact]
    public void Set_MovedGroup_CarriesItsSubtree()
    {
        var tree = Chain(3, ("h1", Ids.Root));

        tree.Set("g2", "h1");

        Assert.Equal((2, 3), (tree.DepthOf("g2"), tree.DepthOf("g3")));
        Assert.Equal(0, tree.HeightBelow("g1", 32));
        Assert.Equal(2, tree.HeightBelow("h1", 32));
    }

    [Fact]
    public void HeightBelow_Cycle_IsBounded()
    {
        var tree = new GroupTree([("p", "q"), ("q", "p")]);

        Assert.Equal(GroupTree.MaxDepth + 1, tree.HeightBelow("p", GroupTree.MaxDepth));
    }
}
