using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Domain.Changes;

/// <summary>
/// The binary form of one stored row (role, user, node, remote-access setting): length-prefixed strings and counts,
/// without the account id (the container holds it once). Shared by the snapshot copy in Redis
/// (<see cref="Snapshots.AccountDataCodec"/>) and the change log (<see cref="ChangeSetCodec"/>), so a row reads the
/// same wherever it was written. Changing a layout here changes both: bump both magics.
/// </summary>
internal static class RecordCodec
{
    // Larger than any account (10M nodes): a damaged count fails here instead of allocating gigabytes.
    public const int MaxCount = 10_000_000;

    public static void WriteRole(BinaryWriter w, RoleRecord role)
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

    public static RoleRecord ReadRole(BinaryReader r, string accountId) =>
        new(accountId, r.ReadString(), r.ReadString(), r.ReadString(), ReadMany(r, () => new PolicyRecord(r.ReadString(), ReadList(r))));

    public static void WriteUser(BinaryWriter w, UserRecord user)
    {
        w.Write(user.UserId);
        w.Write(user.Email);
        w.Write(user.FirstName);
        w.Write(user.LastName);
        w.Write((byte)user.Status);
        WriteList(w, user.RoleIds);
    }

    public static UserRecord ReadUser(BinaryReader r, string accountId)
    {
        var (id, email, first, last) = (r.ReadString(), r.ReadString(), r.ReadString(), r.ReadString());
        var status = (UserState)r.ReadByte();
        if (status is not (UserState.Active or UserState.Disabled))
        {
            throw new InvalidDataException($"user {id} has unknown status {(int)status}");
        }

        return new UserRecord(accountId, id, email, first, last, ReadList(r), status);
    }

    public static void WriteNode(BinaryWriter w, NodeRecord node)
    {
        w.Write(node.NodeId);
        w.Write((byte)node.Kind);
        w.Write(node.ParentId);
        w.Write(node.Title);
        w.Write(node.AgentRemoteAccessDisabled);
        WriteList(w, node.Tags);
    }

    public static NodeRecord ReadNode(BinaryReader r, string accountId)
    {
        var id = r.ReadString();
        var kind = (NodeKind)r.ReadByte();
        if (kind is not (NodeKind.Group or NodeKind.Device))
        {
            throw new InvalidDataException($"node {id} has unknown kind {(int)kind}");
        }

        var parent = r.ReadString();
        var title = r.ReadString();
        var agentDisabled = r.ReadBoolean();
        return new NodeRecord(accountId, id, kind, parent, title, ReadList(r), agentDisabled);
    }

    public static void WriteSetting(BinaryWriter w, RemoteAccessSettingRecord setting)
    {
        WriteTargetKind(w, setting.TargetKind);
        w.Write(setting.Target);
        w.Write(setting.Enabled);
        w.Write(setting.ChangedRevision);
    }

    public static RemoteAccessSettingRecord ReadSetting(BinaryReader r) =>
        new(ReadTargetKind(r), r.ReadString(), r.ReadBoolean(), r.ReadInt64());

    public static void WriteTargetKind(BinaryWriter w, RemoteAccessTarget kind) => w.Write((byte)kind);

    public static RemoteAccessTarget ReadTargetKind(BinaryReader r)
    {
        var kind = (RemoteAccessTarget)r.ReadByte();
        return kind is RemoteAccessTarget.Node or RemoteAccessTarget.Tag
            ? kind
            : throw new InvalidDataException($"unknown remote-access target kind {(int)kind}");
    }

    public static void WriteList(BinaryWriter w, IReadOnlyList<string> items)
    {
        w.Write(items.Count);
        foreach (var item in items)
        {
            w.Write(item);
        }
    }

    public static string[] ReadList(BinaryReader r) => ReadMany(r, r.ReadString);

    public static void WriteMany<T>(BinaryWriter w, IReadOnlyList<T> items, Action<BinaryWriter, T> write)
    {
        w.Write(items.Count);
        foreach (var item in items)
        {
            write(w, item);
        }
    }

    /// <exception cref="InvalidDataException">The count is negative or above <see cref="MaxCount"/>.</exception>
    public static T[] ReadMany<T>(BinaryReader r, Func<T> read)
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
