using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.UnitTests.Storage;

public sealed class AuditSegmentCodecTests
{
    private static readonly string Device = Samples.DeviceId(7);

    private static AuditRecord Admin(long ms) =>
        Samples.Audit("admin.PutRole", "acme", "ann", "", ms) with { Detail = "role ops: ünïcødé ✓", Revision = 12 };

    [Fact]
    public void Encode_ThenDecode_GivesBackEveryFieldWithConsecutiveIds()
    {
        AuditRecord[] events =
        [
            Samples.Decision("acme", "ann", Device, 5_000),
            Admin(4_000),
            Samples.Decision("acme", "bob", Device, 6_000, allowed: false) with
            {
                RemoteAccess = new RemoteAccessRequest(RemoteAction.Copy, "", 0, "", "download", "/var/log/syslog"),
            },
            Samples.Decision("acme", "ann", Device, 6_000) with { Revision = 3 },
        ];

        var decoded = AuditSegmentCodec.Decode(AuditSegmentCodec.Encode(events), "acme", 41);

        Assert.Equal(events.Select((e, i) => e with { EventId = 41 + i }), decoded);
    }

    [Theory]
    [InlineData("✓", 42)] // 126 bytes: the longest text with a one-byte length
    [InlineData("✓", 43)] // 129 bytes: a two-byte length
    [InlineData("a", 127)] // ASCII past the one-byte-length shortcut
    [InlineData("😀", 21)] // surrogate pairs: 4 bytes per 2 chars
    [InlineData("x", 5_000)] // far past the buffer's first size
    public void Encode_ThenDecode_TextsOfEveryLength(string unit, int repeat)
    {
        var text = string.Concat(Enumerable.Repeat(unit, repeat));
        AuditRecord[] events =
        [
            Admin(1) with { Detail = text },
            Admin(2) with { Detail = text + "!", UserId = text },
            Admin(3) with { Detail = "" },
        ];

        var decoded = AuditSegmentCodec.Decode(AuditSegmentCodec.Encode(events), "acme", 1);

        Assert.Equal(events.Select((e, i) => e with { EventId = 1 + i }), decoded);
    }

    [Fact]
    public void EncodeWithIds_KeepsGapsBetweenIds()
    {
        AuditRecord[] events = [Admin(1) with { EventId = 10 }, Admin(2) with { EventId = 11 }, Admin(3) with { EventId = 250 }];

        var decoded = AuditSegmentCodec.Decode(AuditSegmentCodec.EncodeWithIds(events, 10), "acme", 10);

        Assert.Equal([10L, 11L, 250L], decoded.Select(e => e.EventId));
        Assert.Equal(events, decoded);
    }

    [Fact]
    public void EncodeWithIds_DescendingIds_Throws()
    {
        AuditRecord[] events = [Admin(1) with { EventId = 10 }, Admin(2) with { EventId = 9 }];

        Assert.Throws<ArgumentException>(() => AuditSegmentCodec.EncodeWithIds(events, 10));
    }

    [Fact]
    public void Encode_RepeatedDecisions_CostAFewBytesEach()
    {
        var one = Samples.Decision("acme", "ann", Device, 1_700_000_000_000) with { RequestId = "" };
        var events = Enumerable.Range(0, 1000).Select(i => one with { Time = one.Time.AddMilliseconds(i / 10) }).ToList();

        var bytes = AuditSegmentCodec.Encode(events);

        // The first event carries its texts; each repeat is deltas and one "same as before" byte per text.
        Assert.True(bytes.Length < 300 + (events.Count * 24), $"{bytes.Length} bytes for {events.Count} events");
        Assert.Equal(events.Select((e, i) => e with { EventId = 1 + i }), AuditSegmentCodec.Decode(bytes, "acme", 1));
    }

    [Fact]
    public void Encode_NullTexts_AreStoredAsEmpty()
    {
        var record = Admin(1) with { Kind = null!, Detail = null! };

        var decoded = AuditSegmentCodec.Decode(AuditSegmentCodec.Encode([record]), "acme", 1).Single();

        Assert.Equal("", decoded.Kind);
        Assert.Equal("", decoded.Detail);
    }

    [Fact]
    public void Decode_EveryTruncation_ThrowsInvalidData()
    {
        var bytes = AuditSegmentCodec.Encode([Samples.Decision("acme", "ann", Device, 5_000), Admin(6_000)]);

        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => AuditSegmentCodec.Decode(bytes.AsSpan(0, length), "acme", 1));
        }
    }

    [Theory]
    [InlineData(new byte[] { 2, 0 })] // unknown version
    [InlineData(new byte[] { 1, 0, 0 })] // bytes after the last event
    [InlineData(new byte[] { 1, 0xff, 0xff, 0xff, 0xff, 0x0f })] // a count no segment has
    [InlineData(new byte[] { 1, 1, 0, 0, 0, 0, 0, 0x7f })] // a text longer than the data
    [InlineData(new byte[] { 1, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 })] // a varint of 11 bytes
    public void Decode_CorruptData_ThrowsInvalidData(byte[] bytes)
    {
        Assert.Throws<InvalidDataException>(() => AuditSegmentCodec.Decode(bytes, "acme", 1));
    }
}
