using System.IO.Compression;
using System.Text;
using Qbee.Authz.Service.Domain.Changes;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>
/// The compact binary form of an account's snapshot data kept in Redis: every row a snapshot is compiled from,
/// length-prefixed (<see cref="RecordCodec"/>) and gzip-compressed. A replica compiles it in memory without touching SQL.
/// </summary>
internal static class AccountDataCodec
{
    // "QAZ2": bump when the layout changes; old entries are then ignored. 2 added the revision stamp.
    private const int Magic = 0x51415A32;

    public static byte[] Encode(AccountData data)
    {
        using var buffer = new MemoryStream();
        using (var zip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var w = new BinaryWriter(zip, Encoding.UTF8))
        {
            w.Write(Magic);
            w.Write(data.Account.AccountId);
            w.Write(data.Account.Name);
            w.Write(data.Account.Revision);
            w.Write(data.Account.Stamp);
            RecordCodec.WriteMany(w, data.Roles, RecordCodec.WriteRole);
            RecordCodec.WriteMany(w, data.Users, RecordCodec.WriteUser);
            RecordCodec.WriteMany(w, data.Nodes, RecordCodec.WriteNode);
            RecordCodec.WriteMany(w, data.RemoteAccessSettings, RecordCodec.WriteSetting);
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Null when the bytes are not a valid encoding of <paramref name="accountId"/>'s data in this layout (another
    /// version wrote them, or they are damaged): the caller falls back to SQL.
    /// </summary>
    public static AccountData? Decode(byte[] bytes, string accountId)
    {
        try
        {
            var data = DecodeCore(bytes);
            return data is not null && data.Account.AccountId == accountId ? data : null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    // The row readers refuse an unknown user status, node kind or setting target: such bytes decode to null.
    private static AccountData? DecodeCore(byte[] bytes)
    {
        // Inflated whole first: the row readers take a few bytes per call, and each call into the inflater costs
        // more than its bytes (a 10,000-device account: ~100,000 reads).
        using var inflated = new MemoryStream(bytes.Length * 4);
        using (var zip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress))
        {
            zip.CopyTo(inflated);
        }

        inflated.Position = 0;
        using var r = new BinaryReader(inflated, Encoding.UTF8);
        if (r.ReadInt32() != Magic)
        {
            return null;
        }

        var accountId = r.ReadString();
        var account = new AccountRecord(accountId, r.ReadString(), r.ReadInt64(), r.ReadInt64());
        var roles = RecordCodec.ReadMany(r, () => RecordCodec.ReadRole(r, accountId));
        var users = RecordCodec.ReadMany(r, () => RecordCodec.ReadUser(r, accountId));
        var nodes = RecordCodec.ReadMany(r, () => RecordCodec.ReadNode(r, accountId));
        var settings = RecordCodec.ReadMany(r, () => RecordCodec.ReadSetting(r));
        return new AccountData(account, roles, users, nodes, settings);
    }
}
