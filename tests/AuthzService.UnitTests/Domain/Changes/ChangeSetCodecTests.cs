using System.Text;
using System.Text.Json;
using Qbee.Authz.Service.Domain.Changes;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.UnitTests.Domain.Changes;

public sealed class ChangeSetCodecTests
{
    private static readonly DateTimeOffset CommittedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_765_000_000_123);

    [Fact]
    public void Decode_EncodedChangeSetOfEveryCase_ReturnsItUnchanged()
    {
        var changeSet = EveryCase();

        var decoded = ChangeSetCodec.Decode(ChangeSetCodec.Encode(changeSet), "acme");

        Assert.Equal(Describe(changeSet), Describe(decoded));
    }

    [Fact]
    public void Decode_EncodedLargeBatch_ReturnsItUnchangedFromPackedBytes()
    {
        var nodes = Enumerable.Range(0, 1000)
            .Select(i => (Change)new NodePut(new NodeRecord("acme", i.ToString("x64"), NodeKind.Device, "site-a", $"Device {i}", ["lab", "edge"], false)))
            .ToList();
        var changeSet = new ChangeSet("acme", new AccountVersion(9, 99), 98, CommittedAt, nodes);

        var bytes = ChangeSetCodec.Encode(changeSet);

        // About 100 bytes a device unpacked: the repeated parent, tags and id alphabet pack well below that.
        Assert.True(bytes.Length < 40_000, $"{bytes.Length} bytes");
        Assert.Equal(Describe(changeSet), Describe(ChangeSetCodec.Decode(bytes, "acme")));
    }

    [Fact]
    public void Decode_ChangeSetOfAnotherAccount_ThrowsNamingIt()
    {
        var bytes = ChangeSetCodec.Encode(EveryCase());

        var error = Assert.Throws<InvalidDataException>(() => ChangeSetCodec.Decode(bytes, "other"));

        Assert.Contains("of account acme", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_OtherMagic_ThrowsInvalidData()
    {
        var bytes = ChangeSetCodec.Encode(EveryCase());
        bytes[0] ^= 0xFF;

        var error = Assert.Throws<InvalidDataException>(() => ChangeSetCodec.Decode(bytes, "acme"));

        Assert.Contains("magic", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_EveryTruncation_ThrowsInvalidData()
    {
        var bytes = ChangeSetCodec.Encode(EveryCase());

        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => ChangeSetCodec.Decode(bytes[..length], "acme"));
        }
    }

    [Fact]
    public void Decode_TrailingBytes_ThrowsInvalidData()
    {
        byte[] bytes = [.. ChangeSetCodec.Encode(EveryCase()), 0];

        Assert.Throws<InvalidDataException>(() => ChangeSetCodec.Decode(bytes, "acme"));
    }

    [Fact]
    public void Decode_UnknownCase_ThrowsNamingIt()
    {
        var bytes = ChangeSetCodec.Encode(new ChangeSet("acme", new AccountVersion(2, 3), 1, CommittedAt, [new RoleDeleted("r")]));

        // The case byte of the only change follows the header and the change count.
        var at = 5 + Body("acme").Length + 4;
        Assert.Equal(3, bytes[at]);
        bytes[at] = 42;

        var error = Assert.Throws<InvalidDataException>(() => ChangeSetCodec.Decode(bytes, "acme"));
        Assert.Contains("unknown change case 42", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_ChangeCountOutOfRange_ThrowsInvalidData()
    {
        var bytes = ChangeSetCodec.Encode(new ChangeSet("acme", new AccountVersion(2, 3), 1, CommittedAt, []));
        BitConverter.GetBytes(-1).CopyTo(bytes, 5 + Body("acme").Length);

        var error = Assert.Throws<InvalidDataException>(() => ChangeSetCodec.Decode(bytes, "acme"));
        Assert.Contains("out of range", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The bytes of the body before the change count: the account id and four longs.</summary>
    private static byte[] Body(string accountId) => [.. LengthPrefixed(accountId), .. new byte[32]];

    private static byte[] LengthPrefixed(string value) => [(byte)Encoding.UTF8.GetByteCount(value), .. Encoding.UTF8.GetBytes(value)];

    private static ChangeSet EveryCase() => new(
        "acme",
        new AccountVersion(7, -123456789),
        987654321,
        CommittedAt,
        [
            new AccountPut("acme", "Acme Inc."),
            new RolePut(new RoleRecord("acme", "ops", "Ops", "", [new PolicyRecord("device:read", ["tag:lab", "node:g1"]), new PolicyRecord("metrics:read", [])])),
            new RoleDeleted("old"),
            new UserPut(new UserRecord("acme", "u1", "U1@example.com", "Ü", "", ["ops", "default"], UserState.Disabled)),
            new UserDeleted("u2"),
            new NodePut(new NodeRecord("acme", "g1", NodeKind.Group, "root", "Group ✓", [], false)),
            new NodePut(new NodeRecord("acme", new string('a', 64), NodeKind.Device, "g1", "", ["lab"], true)),
            new NodeDeleted("g2"),
            new RemoteAccessChanged(RemoteAccessTarget.Node, "g1", true, 7),
            new RemoteAccessChanged(RemoteAccessTarget.Tag, "lab", false, 7),
            new RemoteAccessChanged(RemoteAccessTarget.Node, "g2", null, 0),
        ]);

    /// <summary>Records holding lists compare by reference: compare their JSON, each change as its own type.</summary>
    private static string Describe(ChangeSet changeSet) =>
        JsonSerializer.Serialize(new
        {
            changeSet.AccountId,
            changeSet.Version,
            changeSet.PreviousStamp,
            changeSet.CommittedAt,
            Changes = changeSet.Changes.Select(c => c.GetType().Name + JsonSerializer.Serialize(c, c.GetType())),
        });
}
