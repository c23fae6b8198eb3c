using System.Text.Json;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Snapshots;

namespace Qbee.Authz.Service.UnitTests.Snapshots;

public sealed class AccountDataCodecTests
{
    private static readonly AccountData Sample = new(
        new AccountRecord("acme", "Acme Corp", 42, Stamp: -77_123_456_789),
        [new RoleRecord("acme", "ops", "Ops", "line one\nline two", [new PolicyRecord("remote-access:connect", ["tag:a/tunnel(port=22)", "node:g"]), new PolicyRecord("audit:read", [])])],
        [new UserRecord("acme", "bob", "Bob@Example.com", "Bob", "B", ["ops", "default"], UserState.Disabled)],
        [
            new NodeRecord("acme", "root", NodeKind.Group, string.Empty, "root", [], false),
            new NodeRecord("acme", new string('a', 64), NodeKind.Device, "root", "dev", ["x", "y"], true),
        ],
        [new RemoteAccessSettingRecord(RemoteAccessTarget.Tag, "x", true, 41), new RemoteAccessSettingRecord(RemoteAccessTarget.Node, "root", false, 3)]);

    [Fact]
    public void Decode_OfEncode_GivesBackEveryField()
    {
        var decoded = AccountDataCodec.Decode(AccountDataCodec.Encode(Sample), "acme");

        // Records hold lists, which compare by reference: compare their JSON.
        Assert.Equal(JsonSerializer.Serialize(Sample), JsonSerializer.Serialize(decoded));
    }

    [Fact]
    public void Decode_DataOfAnotherAccount_IsNull()
    {
        Assert.Null(AccountDataCodec.Decode(AccountDataCodec.Encode(Sample), "globex"));
    }

    [Fact]
    public void Decode_DamagedOrForeignBytes_IsNullNeverAnException()
    {
        var encoded = AccountDataCodec.Encode(Sample);
        var random = new Random(5);
        for (var i = 0; i < 200; i++)
        {
            var damaged = (byte[])encoded.Clone();
            damaged[random.Next(damaged.Length)] ^= (byte)(1 + random.Next(255));
            var decoded = AccountDataCodec.Decode(damaged, "acme");
            Assert.True(decoded is null || decoded.Account.AccountId == "acme");
        }

        Assert.Null(AccountDataCodec.Decode([1, 2, 3], "acme"));
        Assert.Null(AccountDataCodec.Decode(random.GetItems<byte>([0, 1, 2, 255], 4096), "acme"));
    }

    [Fact]
    public void Decode_OfEncode_KeepsTheStamp()
    {
        Assert.Equal(new AccountVersion(42, -77_123_456_789), AccountDataCodec.Decode(AccountDataCodec.Encode(Sample), "acme")!.Account.Version);
    }
}
