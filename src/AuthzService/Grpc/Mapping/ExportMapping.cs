using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Grpc.Validation;
using Qbee.Authz.V1;
using ProtoRecord = Qbee.Authz.V1.AccountRecord;

namespace Qbee.Authz.Service.Grpc.Mapping;

/// <summary>
/// An account's rows and the AccountRecord stream of ExportAccount and ImportAccount, both ways. The stream: the account
/// (with its revision), its roles, users, nodes (root and unassigned_group first, every parent before its
/// children), remote-access settings (nodes', then tags' in the order they were changed), and an end record with the
/// counts. Root and unassigned_group are in it, with their titles and tags; an import adds them bare when a stream
/// leaves them out.
/// </summary>
internal static class ExportMapping
{
    /// <summary>Lazily, record by record: a stream of a large account holds no second copy of it.</summary>
    public static IEnumerable<ProtoRecord> ToRecords(AccountData data, bool replace = false)
    {
        yield return new ProtoRecord { Account = data.Account.ToProto(), Replace = replace };
        foreach (var role in data.Roles)
        {
            yield return new ProtoRecord { Role = role.ToProto() };
        }

        foreach (var user in data.Users)
        {
            yield return new ProtoRecord { User = user.ToProto() };
        }

        var order = NodeOrder.ParentsFirst(data.Nodes);
        foreach (var n in order)
        {
            yield return new ProtoRecord { Node = data.Nodes[n].ToProto() };
        }

        // Only a damaged store has nodes below no root: they go last, for the import to name.
        if (order.Count < data.Nodes.Count)
        {
            var listed = order.ToHashSet();
            for (var n = 0; n < data.Nodes.Count; n++)
            {
                if (!listed.Contains(n))
                {
                    yield return new ProtoRecord { Node = data.Nodes[n].ToProto() };
                }
            }
        }

        var settings = data.RemoteAccessSettings;
        foreach (var setting in settings.Where(s => s.TargetKind == RemoteAccessTarget.Node))
        {
            yield return new ProtoRecord { RemoteAccess = setting.ToProto() };
        }

        foreach (var setting in settings.Where(s => s.TargetKind == RemoteAccessTarget.Tag)
                     .OrderBy(s => s.ChangedRevision).ThenBy(s => s.Target, StringComparer.Ordinal))
        {
            yield return new ProtoRecord { RemoteAccess = setting.ToProto() };
        }

        yield return new ProtoRecord
        {
            End = new ImportCounts
            {
                Roles = data.Roles.Count,
                Users = data.Users.Count,
                Nodes = data.Nodes.Count,
                RemoteAccess = settings.Count,
            },
        };
    }

    /// <summary>
    /// The rows an import of <paramref name="records"/> would store, at the revision the account record names (as
    /// an export of them would read them back): every record validated as ImportAccount validates it.
    /// </summary>
    /// <exception cref="DomainException">A record the import would refuse; the message names it.</exception>
    public static AccountData ToAccountData(IEnumerable<ProtoRecord> records, LimitsOptions? limits = null)
    {
        var builder = new AccountImportBuilder(limits ?? new LimitsOptions());
        foreach (var record in records)
        {
            builder.Add(record);
        }

        var import = builder.Build();
        var revision = (long)builder.First!.Account.Revision;
        return new AccountData(import.Account with { Revision = revision }, import.Roles, import.Users, import.Nodes, import.SettingsAt(revision));
    }

    public static RemoteAccessEntry ToProto(this RemoteAccessSettingRecord setting)
    {
        var entry = new RemoteAccessEntry { Setting = setting.Enabled ? RemoteAccessSetting.Enabled : RemoteAccessSetting.Disabled };
        if (setting.TargetKind == RemoteAccessTarget.Node)
        {
            entry.NodeId = setting.Target;
        }
        else
        {
            entry.Tag = setting.Target;
        }

        return entry;
    }

    public static ImportCounts ToProto(this AccountCounts counts) => new()
    {
        Roles = counts.Roles,
        Users = counts.Users,
        Nodes = counts.Nodes,
        RemoteAccess = counts.RemoteAccess,
    };
}
