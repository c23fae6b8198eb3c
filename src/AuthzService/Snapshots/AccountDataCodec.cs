using System.IO.Compression;
using System.Text;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>
/// The compact binary form of an account's snapshot data kept in Redis: every row a snapshot is compiled from,
/// length-prefixed and gzip-compressed. A replica compiles it in memory without touching SQL.
/// </summary>
internal static class AccountDataCodec
{
    // "QAZ2": bump when the layout changes; old entries are then ignored. 2 added the revision stamp.
    private const int Magic = 0x51415A32;

    // Larger than any account (10M nodes): a damaged count fails here instead of allocating gigabytes.
    private const int MaxCount = 10_000_000;

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
            w.Write(data.Roles.Count);
            foreach (var role in data.Roles)
            {
                w.Write(role.RoleId);
                w.Write(role.Name);
                w.Write(role.Description);
                w.Write(role.Policies.Count);
                foreach (var policy in role.Policies)
                {
                    w.Write(policy.Permission);
                    WriteList(w, policy.Resources);
                }
            }

            w.Write(data.Users.Count);
            foreach (var user in data.Users)
            {
                w.Write(user.UserId);
                w.Write(user.Email);
                w.Write(user.FirstName);
                w.Write(user.LastName);
                w.Write((byte)user.Status);
                WriteList(w, user.RoleIds);
            }

            w.Write(data.Nodes.Count);
            foreach (var node in data.Nodes)
            {
                w.Write(node.NodeId);
                w.Write((byte)node.Kind);
                w.Write(node.ParentId);
                w.Write(node.Title);
                w.Write(node.AgentRemoteAccessDisabled);
                WriteList(w, node.Tags);
            }

            w.Write(data.RemoteAccessSettings.Count);
            foreach (var setting in data.RemoteAccessSettings)
            {
                w.Write((byte)setting.TargetKind);
                w.Write(setting.Target);
                w.Write(setting.Enabled);
                w.Write(setting.ChangedRevision);
            }
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
            return data is not null && data.Account.AccountId == accountId && Valid(data) ? data : null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    private static bool Valid(AccountData data) =>
        data.Users.All(u => u.Status is UserState.Active or UserState.Disabled)
        && data.Nodes.All(n => n.Kind is NodeKind.Group or NodeKind.Device)
        && data.RemoteAccessSettings.All(r => r.TargetKind is RemoteAccessTarget.Node or RemoteAccessTarget.Tag);

    private static AccountData? DecodeCore(byte[] bytes)
    {
        using var zip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var r = new BinaryReader(zip, Encoding.UTF8);
        if (r.ReadInt32() != Magic)
        {
            return null;
        }

        var accountId = r.ReadString();
        var account = new AccountRecord(accountId, r.ReadString(), r.ReadInt64(), r.ReadInt64());
        var roles = ReadMany(r, () => new RoleRecord(
            accountId, r.ReadString(), r.ReadString(), r.ReadString(), ReadMany(r, () => new PolicyRecord(r.ReadString(), ReadList(r)))));
        var users = ReadMany(r, () =>
        {
            var (id, email, first, last) = (r.ReadString(), r.ReadString(), r.ReadString(), r.ReadString());
            var status = (UserState)r.ReadByte();
            return new UserRecord(accountId, id, email, first, last, ReadList(r), status);
        });
        var nodes = ReadMany(r, () =>
        {
            var id = r.ReadString();
            var kind = (NodeKind)r.ReadByte();
            var parent = r.ReadString();
            var title = r.ReadString();
            var agentDisabled = r.ReadBoolean();
            return new NodeRecord(accountId, id, kind, parent, title, ReadList(r), agentDisabled);
        });
        var settings = ReadMany(r, () => new RemoteAccessSettingRecord((RemoteAccessTarget)r.ReadByte(), r.ReadString(), r.ReadBoolean(), r.ReadInt64()));
        return new AccountData(account, roles, users, nodes, settings);
    }

    private static void WriteList(BinaryWriter w, IReadOnlyList<string> items)
    {
        w.Write(items.Count);
        foreach (var item in items)
        {
            w.Write(item);
        }
    }

    private static string[] ReadList(BinaryReader r) => ReadMany(r, r.ReadString);

    private static T[] ReadMany<T>(BinaryReader r, Func<T> read)
    {
        var count = r.ReadInt32();
        if (count is < 0 or > MaxCount)
        {
            throw new InvalidDataException($"count {count} out of range");
        }

        var items = new T[count];
        for (var i = 0; i < count; i++)
        {
            items[i] = read();
        }

        return items;
    }
}
