using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.UnitTests.Storage;

public sealed class AuditSegmentTests
{
    private static readonly string DeviceA = Samples.DeviceId(0xa);
    private static readonly string DeviceB = Samples.DeviceId(0xb);

    [Fact]
    public void Split_MixedAccounts_OneSegmentPerAccountInOrder()
    {
        var a1 = Samples.Decision("acme", "ann", DeviceA, 1_000);
        var g1 = Samples.Decision("globex", "gus", DeviceA, 1_001);
        var a2 = Samples.Decision("acme", "bob", DeviceB, 1_002);

        var segments = AuditSegment.Split([a1, g1, a2]);

        Assert.Equal(["acme", "globex"], segments.Select(s => s.AccountId));
        Assert.Equal([a1, a2], segments[0].Events);
        Assert.Equal([g1], segments[1].Events);
        Assert.Equal((1_000L, 1_002L), (segments[0].MinTime, segments[0].MaxTime));
    }

    [Fact]
    public void Split_EventsFurtherApartThanTheSpread_StartANewSegment()
    {
        var spread = (long)AuditSegment.MaxTimeSpread.TotalMilliseconds;
        var events = new[] { 0L, spread, spread + 1, (2 * spread) + 1 }.Select(ms => Samples.Decision("acme", "ann", DeviceA, 10_000 + ms)).ToList();

        var segments = AuditSegment.Split(events);

        Assert.Equal([2, 2], segments.Select(s => s.Events.Count));
        Assert.All(segments, s => Assert.True(s.MaxTime - s.MinTime <= spread));
    }

    [Fact]
    public void Split_EventsAroundTheFirst_KeepNewestAndOldestWithinTheSpread()
    {
        var spread = (long)AuditSegment.MaxTimeSpread.TotalMilliseconds;
        var events = new[] { 0L, -spread, spread }.Select(ms => Samples.Decision("acme", "ann", DeviceA, 10_000 + ms)).ToList();

        var segments = AuditSegment.Split(events);

        Assert.Equal([2, 1], segments.Select(s => s.Events.Count));
        Assert.Equal((10_000 - spread, 10_000L), (segments[0].MinTime, segments[0].MaxTime));
    }

    [Fact]
    public void Split_MoreThanMaxEvents_StartsANewSegment()
    {
        var events = Enumerable.Range(0, AuditSegment.MaxEvents + 1).Select(_ => Samples.Decision("acme", "ann", DeviceA, 1_000)).ToList();

        var segments = AuditSegment.Split(events);

        Assert.Equal([AuditSegment.MaxEvents, 1], segments.Select(s => s.Events.Count));
    }

    [Fact]
    public void SubjectHashes_DistinctUsersAndDevices_SkipsEmptyIds()
    {
        var segment = AuditSegment.Split(
        [
            Samples.Decision("acme", "ann", DeviceA, 1),
            Samples.Decision("acme", "ann", DeviceB, 2),
            Samples.Audit("admin.PutRole", "acme", userId: "", ms: 3),
        ]).Single();

        var expected = new[]
        {
            AuditSubject.Hash("acme", AuditSubject.User, "ann"),
            AuditSubject.Hash("acme", AuditSubject.Device, DeviceA),
            AuditSubject.Hash("acme", AuditSubject.Device, DeviceB),
        };
        Assert.Equal(expected.Order(), segment.SubjectHashes().Order());
    }

    [Fact]
    public void SubjectHash_IsFnv1aOfAccountKindAndId()
    {
        // Stored in the database: this value must never change. FNV-1a 64 over "acme\0u\0ann" (UTF-16 code units).
        Assert.Equal(unchecked((long)0xcb7141558cbdc623UL), AuditSubject.Hash("acme", AuditSubject.User, "ann"));
        Assert.NotEqual(AuditSubject.Hash("acme", AuditSubject.User, "ann"), AuditSubject.Hash("acme", AuditSubject.Device, "ann"));
        Assert.NotEqual(AuditSubject.Hash("acme", AuditSubject.User, "ann"), AuditSubject.Hash("acme2", AuditSubject.User, "ann"));
    }
}
