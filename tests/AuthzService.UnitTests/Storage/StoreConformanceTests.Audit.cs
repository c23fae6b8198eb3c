using Dapper;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.UnitTests.Storage;

public abstract partial class StoreConformanceTests
{
    private static readonly string DeviceA = Samples.DeviceId(0xa);
    private static readonly string DeviceB = Samples.DeviceId(0xb);

    private static AuditQuery Query(int limit = 100, long? before = null, string user = "", string device = "", DateTimeOffset? since = null) =>
        new("acme", limit, before, user, device, since);

    private async Task<StoreHarness> WithDecisionsAsync()
    {
        var temp = await CreateStoreAsync();
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

    [StoreFact]
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

    [StoreFact]
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

    [StoreFact]
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

    [StoreFact]
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

    [StoreFact]
    public async Task AppendAuditEventsAsync_Empty_WritesNothing()
    {
        await using var temp = await CreateStoreAsync();
        var before = await temp.DumpAsync();

        await temp.Store.AppendAuditEventsAsync([], Ct);

        Assert.Equal(before, await temp.DumpAsync());
    }

    [StoreFact]
    public async Task Writes_Admin_AuditRecordsGivenFieldsWithAccountAndRevision()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        var audit = Samples.Audit("admin.PutRole", accountId: "", userId: "", ms: 42_000) with { Caller = "console", Detail = "role ops" };

        await temp.Store.PutRoleAsync(Samples.Role("acme", "ops"), audit, Ct);

        var stored = (await temp.Store.ListAuditEventsAsync(Query(limit: 1), Ct))[0];
        Assert.Equal(audit with { EventId = stored.EventId, AccountId = "acme", Revision = 2 }, stored);
    }

    [StoreFact]
    public async Task Writes_Refused_WriteNoAuditEvent()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");

        await Assert.ThrowsAsync<NotFoundException>(() => temp.Store.DeleteRoleAsync("acme", "nope", Samples.Audit("admin.DeleteRole"), Ct));

        Assert.Single(await temp.Store.ListAuditEventsAsync(Query(), Ct));
    }

    [StoreFact]
    public async Task ListAuditEventsAsync_ManySegments_PagesMatchAPlainFilter()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        var users = new[] { "ann", "bob", "cy" };
        var devices = new[] { DeviceA, DeviceB };

        // 60 batches, so a listing reads more segments than one query returns.
        for (var batch = 0; batch < 60; batch++)
        {
            await temp.Store.AppendAuditEventsAsync(
                Enumerable.Range(0, 5).Select(i => Samples.Decision("acme", users[(batch + i) % 3], devices[(batch * i) % 2], (batch * 10) + i)).ToList(), Ct);
        }

        var all = await temp.Store.ListAuditEventsAsync(Query(limit: 10_000), Ct);
        foreach (var (user, device) in new[] { ("", ""), ("bob", ""), ("", DeviceB), ("cy", DeviceA) })
        {
            var expected = all.Where(e => (user == "" || e.UserId == user) && (device == "" || e.DeviceId == device)).ToList();
            var paged = new List<AuditRecord>();
            long? before = null;
            while (true)
            {
                var page = await temp.Store.ListAuditEventsAsync(Query(limit: 7, before: before, user: user, device: device), Ct);
                paged.AddRange(page);
                if (page.Count < 7)
                {
                    break;
                }

                before = page[^1].EventId;
            }

            Assert.Equal(expected, paged);
        }

        Assert.Equal(301, all.Count); // 300 decisions + CreateAccount
        Assert.Equal(all.Select(e => e.EventId).Order().Reverse(), all.Select(e => e.EventId));
    }

    [StoreFact]
    public async Task AppendAuditEventsAsync_Batch_OneSegmentPerAccountWithConsecutiveIds()
    {
        await using var temp = await WithDecisionsAsync();

        var acme = await temp.Store.ListAuditEventsAsync(Query(), Ct);

        // CreateAccount (acme), CreateAccount (globex), then the batch: acme's decisions at 1-2 s, 3 s and 5 s (a
        // segment spans at most a second), globex's at 4 s.
        Assert.Equal(6, await temp.CountAsync("SELECT COUNT(*) FROM audit_segments"));
        Assert.Equal([7L, 5L, 4L, 3L, 1L], acme.Select(e => e.EventId));
        Assert.Equal(7, await temp.CountAsync("SELECT last_event_id FROM audit_sequence"));
    }

    [StoreFact]
    public async Task DeleteAuditEventsBeforeAsync_RemovesTheSegmentsAndTheirSubjects()
    {
        await using var temp = await WithDecisionsAsync();

        var purged = await temp.Store.DeleteAuditEventsBeforeAsync(DateTimeOffset.FromUnixTimeMilliseconds(2_500_000), 100, Ct);

        // The decisions at 1-5 s of both accounts; the accounts' creation events (2023) are newer.
        Assert.Equal(new AuditPurgeBatch(4, 5), purged);
        Assert.Equal(2, await temp.CountAsync("SELECT COUNT(*) FROM audit_segments"));
        Assert.Equal(0, await temp.CountAsync(
            "SELECT COUNT(*) FROM audit_segment_subjects WHERE first_event_id NOT IN (SELECT first_event_id FROM audit_segments)"));
        Assert.Empty(await temp.Store.ListAuditEventsAsync(Query(device: DeviceA), Ct));
    }

    [StoreFact]
    public async Task InitializeAsync_VersionOneAuditRows_MovedIntoSegmentsWithTheirIds()
    {
        await using var temp = await CreateStoreAsync(initialize: false);
        await using (var connection = await temp.Connections.OpenAsync(Ct))
        {
            var v1 = temp.Dialect.Migrations[0];
            foreach (var statement in v1.Statements.Prepend(temp.Dialect.CreateMigrationsTable))
            {
                await connection.ExecuteAsync(statement);
            }

            await connection.ExecuteAsync("INSERT INTO schema_migrations (version, applied_at) VALUES (1, 0)");
            await temp.AllowLegacyAuditIdsAsync(connection);
            for (var i = 1; i <= 2_500; i++)
            {
                // Ids with gaps, two accounts interleaved, a user per 7 rows, times a minute apart every 100 rows.
                await connection.ExecuteAsync(
                    "INSERT INTO audit_events (event_id, time, account_id, kind, user_id, device_id, permission, ra_action, ra_proto, "
                    + "ra_port, ra_dst, ra_direction, ra_path, allowed, reason, role_id, resource, caller, request_id, detail, revision) "
                    + "VALUES (@Id, @Time, @Account, 'remote_access.check', @User, @Device, 'remote-access:connect', "
                    + "CASE WHEN @Id % 2 = 0 THEN 2 END, 'tcp', 22, 'localhost', '', '', @Allowed, 1, 'default', '*', 'gateway', 'r', '', 5)",
                    new { Id = i * 3, Time = 1_000_000 + (i / 100 * 60_000), Account = i % 3 == 0 ? "globex" : "acme", User = $"u{i % 7}", Device = DeviceA, Allowed = true });
            }
        }

        await temp.Store.InitializeAsync(Ct);
        await temp.CreateAccountAsync("acme");

        var all = await temp.Store.ListAuditEventsAsync(Query(limit: 10_000), Ct);
        var u3 = await temp.Store.ListAuditEventsAsync(Query(limit: 10_000, user: "u3"), Ct);
        Assert.False(await temp.TableExistsAsync("audit_events"));
        Assert.Equal(0, await temp.CountAsync(temp.Dialect.CountLegacyAuditTable));
        Assert.Equal("admin.CreateAccount", all[0].Kind);
        Assert.Equal(7_501, all[0].EventId); // after the largest moved id
        var moved = all.Skip(1).ToList();
        var expectedIds = Enumerable.Range(1, 2_500).Where(i => i % 3 != 0).Select(i => (long)i * 3).Reverse().ToList();
        Assert.Equal(expectedIds, moved.Select(e => e.EventId));
        Assert.All(moved, e => Assert.Equal(e.EventId % 2 == 0, e.RemoteAccess is { Action: RemoteAction.Tunnel, Port: 22 }));
        Assert.Equal(moved.Where(e => e.UserId == "u3").Select(e => e.EventId), u3.Select(e => e.EventId));
        Assert.Equal(2_500 - expectedIds.Count, (await temp.Store.ListAuditEventsAsync(new AuditQuery("globex", 10_000, null, "", "", null), Ct)).Count);
    }
}
