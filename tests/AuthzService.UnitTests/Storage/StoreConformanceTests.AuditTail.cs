using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.UnitTests.Storage;

/// <summary>ReadAuditEventsAfterAsync, WatchAuditEvents' read: id (commit) order, the account filter, resuming, retention.</summary>
public abstract partial class StoreConformanceTests
{
    [StoreFact]
    public async Task ReadAuditEventsAfterAsync_EveryAccount_InIdOrderWithTheirAccounts()
    {
        await using var temp = await WithDecisionsAsync();

        var tail = await temp.Store.ReadAuditEventsAfterAsync("", 0, 16, Ct);

        Assert.Equal(7, tail.Events.Count); // 2 CreateAccount + 5 decisions
        Assert.Equal(tail.Events.Select(e => e.EventId).Order(), tail.Events.Select(e => e.EventId));
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), tail.Events.Select(e => e.EventId));
        Assert.Equal(["acme", "globex", "acme", "acme", "acme", "globex", "acme"], tail.Events.Select(e => e.AccountId));
        Assert.False(tail.More);
        Assert.False(tail.Purged);
        Assert.Equal(7, tail.LastIssued);
    }

    [StoreFact]
    public async Task ReadAuditEventsAfterAsync_OneAccountFromInsideASegment_ResumesAfterTheId()
    {
        await using var temp = await WithDecisionsAsync();

        var acme = await temp.Store.ReadAuditEventsAfterAsync("acme", 0, 16, Ct);
        var resumed = await temp.Store.ReadAuditEventsAfterAsync("acme", acme.Events[2].EventId, 16, Ct);
        var globex = await temp.Store.ReadAuditEventsAfterAsync("globex", 2, 16, Ct);

        Assert.All(acme.Events, e => Assert.Equal("acme", e.AccountId));
        Assert.Equal(5, acme.Events.Count);
        Assert.Equal(acme.Events.Skip(3).Select(e => e.EventId), resumed.Events.Select(e => e.EventId));
        Assert.Equal(["ann"], globex.Events.Select(e => e.UserId));
    }

    [StoreFact]
    public async Task ReadAuditEventsAfterAsync_SegmentLimit_SaysMoreAndPagesEveryEventOnce()
    {
        await using var temp = await WithDecisionsAsync();

        var seen = new List<long>();
        var after = 0L;
        var reads = 0;
        while (true)
        {
            var tail = await temp.Store.ReadAuditEventsAfterAsync("", after, 1, Ct);
            reads++;
            seen.AddRange(tail.Events.Select(e => e.EventId));
            if (!tail.More)
            {
                break;
            }

            after = tail.Events[^1].EventId;
        }

        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), seen);
        Assert.True(reads >= 4, $"{reads} reads");
    }

    [StoreFact]
    public async Task ReadAuditEventsAfterAsync_RetentionDeletedEventsAfterTheId_SaysPurgedAndDeliversNothing()
    {
        await using var temp = await WithDecisionsAsync();

        // The decisions at 1-3 s (ids 3-5) go; the accounts' creation events (ids 1-2, dated 2023) stay.
        await temp.Store.DeleteAuditEventsBeforeAsync(DateTimeOffset.FromUnixTimeMilliseconds(3_500), 100, Ct);

        var behind = await temp.Store.ReadAuditEventsAfterAsync("acme", 1, 16, Ct);
        var otherAccount = await temp.Store.ReadAuditEventsAfterAsync("globex", 2, 16, Ct);
        var fromTheOldest = await temp.Store.ReadAuditEventsAfterAsync("", 0, 16, Ct);
        var pastTheHole = await temp.Store.ReadAuditEventsAfterAsync("acme", 5, 16, Ct);

        Assert.True(behind.Purged);
        Assert.Empty(behind.Events);
        Assert.True(otherAccount.Purged); // the store cannot tell whose events it deleted
        Assert.True(fromTheOldest.Purged);
        Assert.False(pastTheHole.Purged);
        Assert.Equal([7L], pastTheHole.Events.Select(e => e.EventId));
    }

    [StoreFact]
    public async Task ReadAuditEventsAfterAsync_EverythingPurged_OnlyAnOlderIdIsAHole()
    {
        await using var temp = await WithDecisionsAsync();
        await temp.Store.DeleteAuditEventsBeforeAsync(DateTimeOffset.UtcNow.AddDays(1), 100, Ct);

        var atTheEnd = await temp.Store.ReadAuditEventsAfterAsync("", 7, 16, Ct);
        var older = await temp.Store.ReadAuditEventsAfterAsync("", 6, 16, Ct);

        Assert.Empty(atTheEnd.Events);
        Assert.False(atTheEnd.Purged);
        Assert.Equal(8, atTheEnd.OldestStored);
        Assert.True(older.Purged);
    }
}
