using Qbee.Authz.Client.Caching;
using Qbee.Authz.V1;

namespace Qbee.Authz.Client.UnitTests.Caching;

public sealed class DecisionCacheTests : IAsyncLifetime
{
    private const string Acme = "acme";
    private static readonly CheckQuery BobReads = new("bob", "device:read", new string('a', 64));

    private ClientParts _parts = null!;

    public Task InitializeAsync()
    {
        _parts = new ClientParts(o => o.DecisionCache.TimeToLive = TimeSpan.FromSeconds(5));
        _parts.Tracker.MapUser("bob", Acme);
        _parts.Tracker.MapUser("carol", Acme);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _parts.DisposeAsync();

    private DecisionCache Cache => _parts.Cache;

    private static Decision Allowed(ulong revision) => new(true, DecisionReason.Granted, "device:read", "reader", "*", false, revision, "granted");

    [Fact]
    public async Task TryGet_WithinTheTimeToLive_ServesTheAnswer()
    {
        await _parts.ConnectAsync(Acme, after: 5);
        Cache.Add(BobReads, Allowed(5));

        _parts.Time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));

        Assert.True(Cache.TryGet(BobReads, 0, out var decision));
        Assert.Equal(Allowed(5), decision);
    }

    [Fact]
    public async Task TryGet_AtTheTimeToLive_Misses()
    {
        await _parts.ConnectAsync(Acme, after: 5);
        Cache.Add(BobReads, Allowed(5));

        _parts.Time.Advance(TimeSpan.FromSeconds(5));

        Assert.False(Cache.TryGet(BobReads, 0, out _));
    }

    [Fact]
    public async Task TryGet_MinRevisionAboveTheAnswer_Misses()
    {
        await _parts.ConnectAsync(Acme, after: 5);
        Cache.Add(BobReads, Allowed(5));

        Assert.False(Cache.TryGet(BobReads, minRevision: 6, out _));
        Assert.True(Cache.TryGet(BobReads, minRevision: 5, out _));
    }

    [Fact]
    public void KeyOf_QueriesDifferingInMinRevision_SameKey()
    {
        Assert.Equal(DecisionCache.KeyOf(BobReads), DecisionCache.KeyOf(BobReads with { MinRevision = 9 }));
        Assert.Equal(0UL, DecisionCache.KeyOf(BobReads with { MinRevision = 9 }).MinRevision);
    }

    [Fact]
    public async Task Add_AtMaxEntries_EmptiesTheCacheFirst()
    {
        await using var parts = new ClientParts(o => o.DecisionCache.MaxEntries = 2);
        parts.Tracker.MapUser("bob", Acme);
        await parts.ConnectAsync(Acme, after: 1);
        var first = BobReads with { Permission = "device:manage" };
        var second = BobReads with { Permission = "reports:read" };
        parts.Cache.Add(first, Allowed(1));
        parts.Cache.Add(second, Allowed(1));
        Assert.Equal(2, parts.Cache.Count);

        parts.Cache.Add(BobReads, Allowed(1));

        Assert.Equal(1, parts.Cache.Count);
        Assert.False(parts.Cache.TryGet(first, 0, out _));
        Assert.False(parts.Cache.TryGet(second, 0, out _));
        Assert.True(parts.Cache.TryGet(BobReads, 0, out _));
    }

    [Fact]
    public void Add_UserOfUnknownAccount_StoresNothingAndWatchesNothing()
    {
        var stranger = BobReads with { UserId = "stranger" };

        Cache.Add(stranger, Allowed(5));

        Assert.Equal(0, Cache.Count);
        Assert.False(_parts.Hub.IsWatching(Acme));
        Assert.Equal(0, _parts.Service.WatchCalls);
    }

    [Fact]
    public async Task Add_BeforeTheWatchConnects_StoresNothing()
    {
        Cache.Add(BobReads, Allowed(5)); // the first answer starts the account's watch

        var watch = await _parts.Service.NextWatchAsync();
        Assert.Equal(Acme, watch.Request.AccountId);
        Assert.False(_parts.Hub.IsConnected(Acme));
        Assert.Equal(0, Cache.Count);
        Assert.False(Cache.TryGet(BobReads, 0, out _));

        await watch.ConnectAsync(after: 5);
        Cache.Add(BobReads, Allowed(5));

        Assert.True(Cache.TryGet(BobReads, 0, out _));
    }

    [Fact]
    public async Task Add_AnswerOlderThanTheWatchResumedAfter_StoresNothing()
    {
        await _parts.ConnectAsync(Acme, after: 5);

        Cache.Add(BobReads, Allowed(4)); // a revocation at 5 would never be delivered by this connection

        Assert.False(Cache.TryGet(BobReads, 0, out _));
    }

    [Fact]
    public async Task TryGet_WhileTheWatchIsDown_MissesAndStoresNothing()
    {
        var watch = await _parts.ConnectAsync(Acme, after: 5);
        Cache.Add(BobReads, Allowed(5));

        watch.Break();
        var reconnecting = await _parts.Service.NextWatchAsync(); // the broken one was reported down before this call

        Assert.False(_parts.Hub.IsConnected(Acme));
        Assert.False(Cache.TryGet(BobReads, 0, out _));
        Cache.Add(BobReads with { UserId = "carol" }, Allowed(5));
        Assert.False(Cache.TryGet(BobReads with { UserId = "carol" }, 0, out _));
        Assert.Equal(5UL, reconnecting.Request.AfterRevision);
    }

    [Fact]
    public async Task TryGet_AfterAReconnection_MissesAnswersOfThePreviousConnection()
    {
        var watch = await _parts.ConnectAsync(Acme, after: 5);
        Cache.Add(BobReads, Allowed(5));

        watch.Break();
        await (await _parts.Service.NextWatchAsync()).ConnectAsync(after: 5);

        Assert.True(_parts.Hub.IsConnected(Acme));
        Assert.False(Cache.TryGet(BobReads, 0, out _)); // a revocation missed in between may not have been replayed yet
        Cache.Add(BobReads, Allowed(5));
        Assert.True(Cache.TryGet(BobReads, 0, out _));
    }

    [Fact]
    public async Task Revoke_TheUsersRevocation_DropsOnlyTheirAnswers()
    {
        var watch = await _parts.ConnectAsync(Acme, after: 5);
        var carolReads = BobReads with { UserId = "carol" };
        Cache.Add(BobReads, Allowed(5));
        Cache.Add(carolReads, Allowed(5));

        await watch.SendAsync(new RevocationEvent { AccountId = Acme, Revision = 6, UserIds = { "bob" } });

        Assert.False(Cache.TryGet(BobReads, 0, out _));
        Assert.True(Cache.TryGet(carolReads, 0, out _));
    }

    [Fact]
    public async Task Revoke_AllUsers_DropsEveryAnswer()
    {
        var watch = await _parts.ConnectAsync(Acme, after: 5);
        Cache.Add(BobReads, Allowed(5));
        Cache.Add(BobReads with { UserId = "carol" }, Allowed(5));

        await watch.SendAsync(new RevocationEvent { AccountId = Acme, Revision = 6, AllUsers = true });

        Assert.Equal(0, Cache.Count);
    }

    [Fact]
    public async Task Add_AnswerOlderThanARevocationSeen_StoresNothing()
    {
        await _parts.ConnectAsync(Acme, after: 5);
        Cache.Revoke(new Revocation(Acme, 7, ["bob"]));

        Cache.Add(BobReads, Allowed(6)); // asked before the revocation, answered after it

        Assert.False(Cache.TryGet(BobReads, 0, out _));
        Cache.Add(BobReads, Allowed(7));
        Assert.True(Cache.TryGet(BobReads, 0, out _));
    }

    [Fact]
    public async Task Add_AnswerOlderThanAnAllUsersRevocation_StoresNothing()
    {
        // An all-users revocation names no one: a user it deleted has no bound of its own.
        await _parts.ConnectAsync(Acme, after: 5);
        Cache.Revoke(new Revocation(Acme, 7, [], AllUsers: true));

        Cache.Add(BobReads with { UserId = "carol" }, Allowed(6));

        Assert.False(Cache.TryGet(BobReads with { UserId = "carol" }, 0, out _));
        Cache.Add(BobReads, Allowed(7));
        Assert.True(Cache.TryGet(BobReads, 0, out _));
    }

    [Fact]
    public async Task Revoke_OlderRevocationAfterANewerOne_KeepsTheNewerBound()
    {
        await _parts.ConnectAsync(Acme, after: 5);
        Cache.Revoke(new Revocation(Acme, 9, ["bob"]));
        Cache.Revoke(new Revocation(Acme, 7, ["bob"]));

        Cache.Add(BobReads, Allowed(8));

        Assert.False(Cache.TryGet(BobReads, 0, out _));
    }

    [Fact]
    public async Task Add_ConcurrentFirstAnswers_SubscribeOncePerAccount()
    {
        var revoked = 0;
        Cache.Revoked += _ => Interlocked.Increment(ref revoked);

        Parallel.For(0, 64, i => Cache.Add(BobReads with { Permission = $"p{i}" }, Allowed(5)));
        var watch = await _parts.Service.NextWatchAsync();
        await watch.ConnectAsync(after: 5);
        await watch.SendAsync(new RevocationEvent { AccountId = Acme, Revision = 6, UserIds = { "bob" } });

        Assert.Equal(1, revoked);
        Assert.Equal(1, _parts.Service.WatchCalls);
    }

    [Fact]
    public async Task AddTryGetRevoke_FromManyThreads_KeepsTheCacheConsistent()
    {
        await _parts.ConnectAsync(Acme, after: 5);

        // Answers at revisions 5 and 6 race with carol's revocation at 6: whatever the interleaving, no answer of
        // carol's older than it may survive it, and bob's (never revoked) must all stay.
        Parallel.For(0, 2_000, i =>
        {
            var key = BobReads with { UserId = i % 2 == 0 ? "bob" : "carol", Permission = $"p{i % 50}" };
            var revision = i % 3 == 0 ? 6UL : 5UL;
            Cache.Add(key, Allowed(revision));
            if (Cache.TryGet(key, 0, out var decision))
            {
                Assert.True(decision.Revision is 5 or 6, $"revision {decision.Revision}");
            }

            if (i == 1_000)
            {
                Cache.Revoke(new Revocation(Acme, 6, ["carol"]));
            }
        });

        for (var p = 0; p < 50; p++)
        {
            var bob = BobReads with { Permission = $"p{p}" };
            Assert.Equal(p % 2 == 0, Cache.TryGet(bob, 0, out _));
            if (Cache.TryGet(bob with { UserId = "carol" }, 0, out var carol))
            {
                Assert.Equal(6UL, carol.Revision);
            }
        }

        Cache.Revoke(new Revocation(Acme, 7, [], AllUsers: true));

        Assert.Equal(0, Cache.Count);
        Assert.False(Cache.TryGet(BobReads with { Permission = "p0" }, 0, out _));
    }
}
