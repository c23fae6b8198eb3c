using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Qbee.Authz.Service.Snapshots;

namespace Qbee.Authz.Service.UnitTests.Snapshots;

public sealed class SyncFreshnessTests
{
    private const int StaleEvent = 82;
    private const int ConfirmedAgainEvent = 83;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ListLogger<SyncFreshness> _log = new();
    private readonly SyncFreshness _freshness;

    public SyncFreshnessTests()
    {
        _freshness = new SyncFreshness(_time, Options.Create(new StalenessOptions { MaxStaleness = TimeSpan.FromSeconds(60) }), _log);
    }

    [Fact]
    public void Oldest_NothingConfirmed_IsNoAccountAndZero()
    {
        Assert.Equal((null, TimeSpan.Zero), _freshness.Oldest());
        Assert.False(_freshness.IsStale);
        Assert.Null(_freshness.Age("acme"));
    }

    [Fact]
    public void Oldest_TwoAccounts_IsTheOneConfirmedLongestAgo()
    {
        _freshness.Confirmed("acme");
        _time.Advance(TimeSpan.FromSeconds(30));
        _freshness.Confirmed("globex");
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(("acme", TimeSpan.FromSeconds(40)), _freshness.Oldest());
        Assert.Equal(TimeSpan.FromSeconds(10), _freshness.Age("globex"));
    }

    [Fact]
    public void Review_PastMaxStalenessThenConfirmed_LogsOnceStaleAndOnceRecovered()
    {
        _freshness.Confirmed("acme");
        _time.Advance(TimeSpan.FromSeconds(61));

        Assert.True(_freshness.Review());
        Assert.True(_freshness.Review());
        Assert.True(_freshness.IsStale);
        _freshness.Confirmed("acme");
        Assert.False(_freshness.Review());
        Assert.False(_freshness.Review());

        Assert.Equal(1, _log.Count(StaleEvent));
        Assert.Equal(1, _log.Count(ConfirmedAgainEvent));
        Assert.Contains("acme", _log.Lines.Single(l => l.EventId.Id == StaleEvent).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Review_AtMaxStaleness_IsNotStale()
    {
        _freshness.Confirmed("acme");
        _time.Advance(TimeSpan.FromSeconds(60));

        Assert.False(_freshness.Review());
        Assert.Equal(0, _log.Count(StaleEvent));
    }
}
