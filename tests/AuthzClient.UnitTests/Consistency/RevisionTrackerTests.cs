using Qbee.Authz.Client.Consistency;

namespace Qbee.Authz.Client.UnitTests.Consistency;

public sealed class RevisionTrackerTests
{
    private readonly RevisionTracker _tracker = new();

    [Fact]
    public void Observe_LowerRevisionAfterAHigherOne_KeepsTheHigher()
    {
        _tracker.Observe("acme", 7);
        _tracker.Observe("acme", 3);

        Assert.Equal(7UL, _tracker.RevisionOf("acme"));
    }

    [Fact]
    public void Observe_TwoAccounts_TracksEachOnItsOwn()
    {
        _tracker.Observe("acme", 7);
        _tracker.Observe("globex", 2);

        Assert.Equal(7UL, _tracker.RevisionOf("acme"));
        Assert.Equal(2UL, _tracker.RevisionOf("globex"));
        Assert.Equal(0UL, _tracker.RevisionOf("initech"));
    }

    [Theory]
    [InlineData("acme", 0UL)]
    [InlineData("", 5UL)]
    public void Observe_NoRevisionOrNoAccount_IsIgnored(string accountId, ulong revision)
    {
        _tracker.Observe(accountId, revision);

        Assert.Equal(0UL, _tracker.RevisionOf(accountId));
    }

    [Fact]
    public void ObserveUser_MappedUser_RaisesTheirAccount()
    {
        _tracker.MapUser("bob", "acme");

        _tracker.ObserveUser("bob", 4);
        _tracker.ObserveUser("bob", 2);

        Assert.Equal(4UL, _tracker.RevisionOf("acme"));
        Assert.Equal(4UL, _tracker.RevisionOfUser("bob"));
    }

    [Fact]
    public void ObserveUser_UnknownUser_ChangesNothing()
    {
        _tracker.ObserveUser("stranger", 4);

        Assert.Null(_tracker.AccountOf("stranger"));
        Assert.Equal(0UL, _tracker.RevisionOfUser("stranger"));
    }

    [Theory]
    [InlineData("", "acme")]
    [InlineData("bob", "")]
    public void MapUser_EmptyId_IsIgnored(string userId, string accountId)
    {
        _tracker.MapUser(userId, accountId);

        Assert.Null(_tracker.AccountOf(userId));
    }

    [Fact]
    public void MapUser_AgainToAnotherAccount_TheLatestWins()
    {
        _tracker.MapUser("bob", "acme");
        _tracker.MapUser("bob", "globex");
        _tracker.Observe("globex", 3);

        Assert.Equal("globex", _tracker.AccountOf("bob"));
        Assert.Equal(3UL, _tracker.RevisionOfUser("bob"));
    }

    [Fact]
    public void ForgetUser_MappedUser_NoLongerHasAnAccount()
    {
        _tracker.MapUser("bob", "acme");
        _tracker.Observe("acme", 3);

        _tracker.ForgetUser("bob");

        Assert.Null(_tracker.AccountOf("bob"));
        Assert.Equal(0UL, _tracker.RevisionOfUser("bob"));
        Assert.Equal(3UL, _tracker.RevisionOf("acme"));
    }

    [Fact]
    public void Observe_FromManyThreadsInAnyOrder_EndsAtTheHighest()
    {
        var revisions = Enumerable.Range(1, 10_000).Select(r => (ulong)r).OrderBy(r => (r * 7919) % 10_007).ToArray();
        var seenBackwards = 0;

        Parallel.ForEach(revisions, revision =>
        {
            _tracker.Observe("acme", revision);
            var now = _tracker.RevisionOf("acme");
            if (now < revision)
            {
                Interlocked.Increment(ref seenBackwards);
            }

            _tracker.ObserveUser("unmapped", revision);
        });

        Assert.Equal(10_000UL, _tracker.RevisionOf("acme"));
        Assert.Equal(0, seenBackwards);
    }
}
