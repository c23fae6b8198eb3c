using System.IO.Compression;
using System.Text;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Domain.Changes;

/// <summary>
/// The binary form of a <see cref="ChangeSet"/>, as the change log in SQL keeps it (and as it can travel on): a magic
/// with the layout version, how the body is packed, then the body: account, version, previous stamp, commit time
/// (unix ms) and the changes, each a case byte and its row (<see cref="RecordCodec"/>). Pure: no I/O, no clock.
/// </summary>
internal static class ChangeSetCodec
{
    // "QCS1": bump when the layout changes; a reader refuses every other value.
    private const int Magic = 0x51435331;

    private const byte Raw = 0;
    private const byte Gzip = 1;

    // A single write's change set is a few hundred bytes: packing it would cost more than it saves. A batch of
    // devices repeats its parent and tags on every row, which gzip takes to a fraction.
    private const int PackAbove = 4096;

    private enum Case : byte
    {
        AccountPut = 1,
        RolePut = 2,
        RoleDeleted = 3,
        UserPut = 4,
        UserDeleted = 5,
        NodePut = 6,
        NodeDeleted = 7,
        RemoteAccessChanged = 8,
    }

    public static byte[] Encode(ChangeSet changeSet)
    {
        using var body = new MemoryStream();
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            WriteBody(w, changeSet);
        }

        using var output = new MemoryStream((int)Math.Min(body.Length, PackAbove) + 5);
        using (var w = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(body.Length > PackAbove ? Gzip : Raw);
        }

        body.Position = 0;
        if (body.Length > PackAbove)
        {
            using var zip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true);
            body.CopyTo(zip);
        }
        else
        {
            body.CopyTo(output);
        }

        return output.ToArray();
    }

    /// <exception cref="InvalidDataException">
    /// The bytes are not a change set of <paramref name="accountId"/> in this layout: another version wrote them, they
    /// are damaged, or they belong to another account. The message says which.
    /// </exception>
    public static ChangeSet Decode(byte[] bytes, string accountId)
    {
        try
        {
            using var input = new MemoryStream(bytes, writable: false);
            using var header = new BinaryReader(input, Encoding.UTF8, leaveOpen: true);
            var magic = header.ReadInt32();
            if (magic != Magic)
            {
                throw new InvalidDataException($"not a change set of this layout (magic {magic:x8}, expected {Magic:x8})");
            }

            var packing = header.ReadByte();
            using Stream body = packing switch
            {
                Raw => input,
                Gzip => new GZipStream(input, CompressionMode.Decompress, leaveOpen: true),
                _ => throw new InvalidDataException($"unknown packing {packing}"),
            };
            using var r = new BinaryReader(body, Encoding.UTF8, leaveOpen: true);
            var changeSet = ReadBody(r);
            if (changeSet.AccountId != accountId)
            {
                throw new InvalidDataException($"the change set is of account {changeSet.AccountId}");
            }

            if (body.ReadByte() != -1)
            {
                throw new InvalidDataException("bytes follow the last change");
            }

            return changeSet;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException or ArgumentException)
        {
            // A truncated or damaged body surfaces as the reader's own exceptions: one type for the caller.
            throw new InvalidDataException($"damaged change set of account {accountId}: {e.Message}", e);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"unreadable change set of account {accountId}: {e.Message}", e);
        }
    }

    private static void WriteBody(BinaryWriter w, ChangeSet changeSet)
    {
        w.Write(changeSet.AccountId);
        w.Write(changeSet.Version.Revision);
        w.Write(changeSet.Version.Stamp);
        w.Write(changeSet.PreviousStamp);
        w.Write(changeSet.CommittedAt.ToUnixTimeMilliseconds());
        RecordCodec.WriteMany(w, changeSet.Changes, WriteChange);
    }

    private static ChangeSet ReadBody(BinaryReader r)
    {
        var accountId = r.ReadString();
        var version = new AccountVersion(r.ReadInt64(), r.ReadInt64());
        var previousStamp = r.ReadInt64();
        var committedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.ReadInt64());
        var changes = RecordCodec.ReadMany(r, () => ReadChange(r, accountId));
        return new ChangeSet(accountId, version, previousStamp, committedAt, changes);
    }

    private static void WriteChange(BinaryWriter w, Change change)
    {
        switch (change)
        {
            case AccountPut put:
                w.Write((byte)Case.AccountPut);
                w.Write(put.AccountId);
                w.Write(put.Name);
                break;
            case RolePut put:
                w.Write((byte)Case.RolePut);
                RecordCodec.WriteRole(w, put.Role);
                break;
            case RoleDeleted deleted:
                w.Write((byte)Case.RoleDeleted);
                w.Write(deleted.RoleId);
                break;
            case UserPut put:
                w.Write((byte)Case.UserPut);
                RecordCodec.WriteUser(w, put.User);
                break;
            case UserDeleted deleted:
                w.Write((byte)Case.UserDeleted);
                w.Write(deleted.UserId);
                break;
            case NodePut put:
                w.Write((byte)Case.NodePut);
                RecordCodec.WriteNode(w, put.Node);
                break;
            case NodeDeleted deleted:
                w.Write((byte)Case.NodeDeleted);
                w.Write(deleted.NodeId);
                break;
            case RemoteAccessChanged setting:
                w.Write((byte)Case.RemoteAccessChanged);
                RecordCodec.WriteTargetKind(w, setting.TargetKind);
                w.Write(setting.Target);

                // 0 cleared, 1 disabled, 2 enabled.
                w.Write(setting.Enabled switch { null => (byte)0, false => (byte)1, true => (byte)2 });
                w.Write(setting.ChangedRevision);
                break;
            default:
                throw new ArgumentException($"unknown change {change.GetType().Name}", nameof(change));
        }
    }

    private static Change ReadChange(BinaryReader r, string accountId)
    {
        var kind = (Case)r.ReadByte();
        return kind switch
        {
            Case.AccountPut => new AccountPut(r.ReadString(), r.ReadString()),
            Case.RolePut => new RolePut(RecordCodec.ReadRole(r, accountId)),
            Case.RoleDeleted => new RoleDeleted(r.ReadString()),
            Case.UserPut => new UserPut(RecordCodec.ReadUser(r, accountId)),
            Case.UserDeleted => new UserDeleted(r.ReadString()),
            Case.NodePut => new NodePut(RecordCodec.ReadNode(r, accountId)),
            Case.NodeDeleted => new NodeDeleted(r.ReadString()),
            Case.RemoteAccessChanged => ReadRemoteAccessChanged(r),
            _ => throw new InvalidDataException($"unknown change case {(byte)kind}"),
        };
    }

    private static RemoteAccessChanged ReadRemoteAccessChanged(BinaryReader r)
    {
        var targetKind = RecordCodec.ReadTargetKind(r);
        var target = r.ReadString();
        var state = r.ReadByte();
        bool? enabled = state switch
        {
            0 => null,
            1 => false,
            2 => true,
            _ => throw new InvalidDataException($"unknown remote-access state {state}"),
        };
        return new RemoteAccessChanged(targetKind, target, enabled, r.ReadInt64());
    }
}
