using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.UnitTests.Storage;

public sealed class SqlAuthzStoreAuditTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly string DeviceA = Samples.DeviceId(0xa);
    private static readonly string DeviceB = Samples.DeviceId(0xb);

    private static AuditQuery Query(int limit = 100, long? before = null, string user = "", string device = "", DateTimeOffset? since = null) =>
        new("acme", limit, before, user, device, since);

    private static async Task<TempSqliteStore> WithDecisionsAsync()
    {
        var temp = await TempSqliteStore.CreateAsync();
        await temp.CreateAccountAsync("acme");
        await temp.CreateAccountAsync("globex", "gowner");
        await temp.Store.AppendAuditEventsAsync(
        [
            Samples.Decision("acme", "ann", DeviceA, 1_000),
            Samples.Decision("acme", "bob", DeviceA, 2_000, allowed: false),
            Samples.Decision("acme", "ann", DeviceB, 3_000),
            Samples.Decision("globex", "ann", DeviceA, 4_000),
            Samples.Decision("acme", "bob", DeviceB, 5_000),
        ], Ct);
        return temp;
    }

    [Fact]
    public async Task AppendAuditEventsAsync_Batch_RoundTripsEveryField()
    {
        await using var temp = await WithDecisionsAsync();

        var events = await temp.Store.ListAuditEventsAsync(Query(device: DeviceA), Ct);

        var denied = events.Single(e => e.UserId == "bob");
        var expected = Samples.Decision("acme", "bob", DeviceA, 2_000, allowed: false) with
        {
            EventId = denied.EventId,
            RequestId = denied.RequestId,
        };
        Assert.Equal(expected, denied);
        Assert.Equal(new RemoteAccessRequest(RemoteAction.Tunnel, "tcp", 22, "localhost", "", ""), denied.RemoteAccess);
    }

    [Fact]
    public async Task ListAuditEventsAsync_NoFilter_ReturnsAccountNewestFirst()
    {
        await using var temp = await WithDecisionsAsync();

        var events = await temp.Store.ListAuditEventsAsync(Query(), Ct);

        Assert.All(events, e => Assert.Equal("acme", e.AccountId));
        Assert.Equal(events.OrderByDescending(e => e.EventId).Select(e => e.EventId), events.Select(e => e.EventId));
        Assert.Equal(5, events.Count); // 4 decisions + CreateAccount
        Assert.Equal(5_000, events[0].Time.ToUnixTimeMilliseconds());
        Assert.Null(events[^1].RemoteAccess);
        Assert.Equal("admin.CreateAccount", events[^1].Kind);
    }

    [Fact]
    public async Task ListAuditEventsAsync_Filters_ApplyTogether()
    {
        await using var temp = await WithDecisionsAsync();

        var byUser = await temp.Store.ListAuditEventsAsync(Query(user: "ann"), Ct);
        var byDevice = await temp.Store.ListAuditEventsAsync(Query(device: DeviceB), Ct);
        var both = await temp.Store.ListAuditEventsAsync(Query(user: "bob", device: DeviceB), Ct);
        var since = await temp.Store.ListAuditEventsAsync(Query(since: DateTimeOffset.FromUnixTimeMilliseconds(2_000), user: "bob"), Ct);

        Assert.Equal([3_000L, 1_000L], byUser.Select(e => e.Time.ToUnixTimeMilliseconds()));
        Assert.Equal([5_000L, 3_000L], byDevice.Select(e => e.Time.ToUnixTimeMilliseconds()));
        Assert.Equal([5_000L], both.Select(e => e.Time.ToUnixTimeMilliseconds()));
        Assert.Equal([5_000L, 2_000L], since.Select(e => e.Time.ToUnixTimeMilliseconds()));
    }

    [Fact]
    public async Task ListAuditEventsAsync_PagedWithBeforeEventId_WalksEveryEventOnce()
    {
        await using var temp = await WithDecisionsAsync();
        var all = await temp.Store.ListAuditEventsAsync(Query(), Ct);

        var pages = new List<IReadOnlyList<AuditRecord>>();
        long? before = null;
        while (true)
        {
            var page = await temp.Store.ListAuditEventsAsync(Query(limit: 2, before: before), Ct);
            if (page.Count == 0)
            {
                break;
            }

            pages.Add(page);
            before = page[^1].EventId;
        }

        Assert.Equal([2, 2, 1], pages.Select(p => p.Count));
        Assert.Equal(all.Select(e => e.EventId), pages.SelectMany(p => p).Select(e => e.EventId));
    }

    [Fact]
    public async Task AppendAuditEventsAsync_Empty_WritesNothing()
    {
        await using var temp = await TempSqliteStore.CreateAsync();
        var before = await temp.DumpAsync();

        await temp.Store.AppendAuditEventsAsync([], Ct);

        Assert.Equal(before, await temp.DumpAsync());
    }

    [Fact]
    public async Task Writes_Admin_AuditRecordsGivenFieldsWithAccountAndRevision()
    {
        await using var temp = await TempSqliteStore.CreateAsync();
        await temp.CreateAccountAsync("acme");
        var audit = Samples.Audit("admin.PutRole", accountId: "", userId: "", ms: 42_000) with { Caller = "console", Detail = "role ops" };

        await temp.Store.PutRoleAsync(Samples.Role("acme", "ops"), audit, Ct);

        var stored = (await temp.Store.ListAuditEventsAsync(Query(limit: 1), Ct))[0];
        Assert.Equal(audit with { EventId = stored.EventId, AccountId = "acme", Revision = 2 }, stored);
    }

    [Fact]
    public async Task Writes_Refused_WriteNoAuditEvent()
    {
        await using var temp = await TempSqliteStore.CreateAsync();
        await temp.CreateAccountAsync("acme");

        await Assert.ThrowsAsync<NotFoundException>(() => temp.Store.DeleteRoleAsync("acme", "nope", Samples.Audit("admin.DeleteRole"), Ct));

        Assert.Single(await temp.Store.ListAuditEventsAsync(Query(), Ct));
    }
}
