using Qbee.Authz.V1;

namespace Qbee.Authz.Client.UnitTests.Checks;

/// <summary>The min_revision the client sends (read-your-writes from the tracker) and what answers teach the tracker.</summary>
public sealed class GrpcAuthzClientTests
{
    private const string Acme = "acme";

    private static CheckRequest LastCheck(ClientParts parts) => Assert.IsType<CheckRequest>(parts.Service.Requests.Last());

    [Fact]
    public async Task CheckAsync_ReadYourWrites_SendsTheAccountsRevision()
    {
        await using var parts = new ClientParts(o => (o.ReadYourWrites, o.DecisionCache.Enabled) = (true, false));
        parts.Tracker.MapUser("bob", Acme);
        parts.Tracker.Observe(Acme, 7);

        await parts.Client.CheckAsync("bob", "device:read");

        Assert.Equal(7UL, LastCheck(parts).MinRevision);
    }

    [Fact]
    public async Task CheckAsync_RequestedAboveTheTracked_SendsTheRequested()
    {
        await using var parts = new ClientParts(o => (o.ReadYourWrites, o.DecisionCache.Enabled) = (true, false));
        parts.Tracker.MapUser("bob", Acme);
        parts.Tracker.Observe(Acme, 7);

        await parts.Client.CheckAsync(new CheckQuery("bob", "device:read") { MinRevision = 9 });

        Assert.Equal(9UL, LastCheck(parts).MinRevision);
    }

    [Fact]
    public async Task CheckAsync_WithoutReadYourWrites_SendsOnlyTheRequested()
    {
        await using var parts = new ClientParts(o => (o.ReadYourWrites, o.DecisionCache.Enabled) = (false, false));
        parts.Tracker.MapUser("bob", Acme);
        parts.Tracker.Observe(Acme, 7);

        await parts.Client.CheckAsync("bob", "device:read");
        await parts.Client.CheckAsync(new CheckQuery("bob", "device:read") { MinRevision = 3 });

        Assert.Equal([0UL, 3UL], parts.Service.Requests.Cast<CheckRequest>().Select(r => r.MinRevision));
    }

    [Fact]
    public async Task CheckManyAsync_ReadYourWrites_SendsEachUsersAccountRevision()
    {
        await using var parts = new ClientParts(o => (o.ReadYourWrites, o.DecisionCache.Enabled) = (true, false));
        parts.Tracker.MapUser("bob", Acme);
        parts.Tracker.Observe(Acme, 7);
        parts.Service.Answer = _ => new CheckBatchResponse { Results = { new CheckResponse { Revision = 7 }, new CheckResponse { Revision = 7 } } };

        await parts.Client.CheckManyAsync([new CheckQuery("bob", "device:read"), new CheckQuery("stranger", "device:read")]);

        var batch = Assert.IsType<CheckBatchRequest>(parts.Service.Requests.Single());
        Assert.Equal([7UL, 0UL], batch.Checks.Select(c => c.MinRevision));
    }

    [Fact]
    public async Task CheckAsync_Answer_RaisesTheTrackedRevisionOfTheUsersAccount()
    {
        await using var parts = new ClientParts(o => o.DecisionCache.Enabled = false);
        parts.Tracker.MapUser("bob", Acme);
        parts.Service.Answer = _ => new CheckResponse { Allowed = true, Revision = 11 };

        await parts.Client.CheckAsync("bob", "device:read");

        Assert.Equal(11UL, parts.Tracker.RevisionOf(Acme));
    }

    [Fact]
    public async Task CheckAsync_CachedAnswerWhileConnected_AsksTheServiceOnce()
    {
        await using var parts = new ClientParts();
        parts.Tracker.MapUser("bob", Acme);
        await parts.ConnectAsync(Acme, after: 1);

        var first = await parts.Client.CheckAsync("bob", "device:read");
        var second = await parts.Client.CheckAsync("bob", "device:read");

        Assert.Equal(first, second);
        Assert.Single(parts.Service.Requests);
    }

    [Fact]
    public async Task CheckAsync_Explain_NeverCached()
    {
        await using var parts = new ClientParts();
        parts.Tracker.MapUser("bob", Acme);
        await parts.ConnectAsync(Acme, after: 1);

        await parts.Client.CheckAsync(new CheckQuery("bob", "device:read") { Explain = true });
        await parts.Client.CheckAsync(new CheckQuery("bob", "device:read") { Explain = true });

        Assert.Equal(2, parts.Service.Requests.Count);
        Assert.Equal(0, parts.Cache.Count);
    }
}
