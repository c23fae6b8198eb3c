using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Domain.Changes;

/// <summary>
/// Applies change sets to an account's rows: the reference the patched snapshots are held to (a snapshot compiled
/// from the rows this returns answers like the snapshot patched with the same change sets), and the way a compacted
/// copy of the rows is brought forward without reading SQL. Cost is linear in the account: it is not the hot path.
/// </summary>
internal static class ChangeSetApplier
{
    /// <param name="data">The rows at <c>changes.Revision - 1</c>; null before the account exists.</param>
    /// <exception cref="InvalidOperationException">The change set does not follow <paramref name="data"/>'s version.</exception>
    public static AccountData Apply(AccountData? data, ChangeSet changes) => Apply(data, [changes]);

    /// <summary>
    /// Applies change sets in order, each onto the rows the one before it made: the rows are keyed once, so a
    /// thousand change sets onto a large account cost one pass over it (the compacted copy in Redis, a cold replica).
    /// </summary>
    /// <exception cref="InvalidOperationException">A change set does not follow the version before it.</exception>
    public static AccountData Apply(AccountData? data, IReadOnlyList<ChangeSet> changeSets)
    {
        if (changeSets.Count == 0)
        {
            return data ?? throw new InvalidOperationException("no rows and no change set");
        }

        var accountId = changeSets[0].AccountId;
        var version = data?.Account.Version;
        var name = data?.Account.Name ?? "";
        var roles = Keyed(data?.Roles, r => r.RoleId);
        var users = Keyed(data?.Users, u => u.UserId);
        var nodes = Keyed(data?.Nodes, n => n.NodeId);
        var settings = Keyed(data?.RemoteAccessSettings, s => SettingKey(s.TargetKind, s.Target));
        foreach (var changes in changeSets)
        {
            // Never one account's change set onto another's rows: every row below is relabelled with accountId.
            if (changes.AccountId != accountId || (data is not null && data.Account.AccountId != accountId))
            {
                throw new InvalidOperationException($"change set of account {changes.AccountId} onto rows of account {data?.Account.AccountId ?? accountId}");
            }

            if (version is null ? changes.Revision != 1 : version != changes.Previous)
            {
                throw new InvalidOperationException(
                    $"change set {changes.AccountId}@{changes.Version} does not follow {(version is null ? "an empty account" : version.Value.ToString())}");
            }

            foreach (var change in changes.Changes)
            {
                switch (change)
                {
                    case AccountPut put:
                        name = put.Name;
                        break;
                    case RolePut put:
                        roles.Put(put.Role.RoleId, put.Role with { AccountId = accountId });
                        break;
                    case RoleDeleted deleted:
                        roles.Remove(deleted.RoleId);
                        break;
                    case UserPut put:
                        users.Put(put.User.UserId, put.User with { AccountId = accountId });
                        break;
                    case UserDeleted deleted:
                        users.Remove(deleted.UserId);
                        break;
                    case NodePut put:
                        nodes.Put(put.Node.NodeId, put.Node with { AccountId = accountId });
                        break;
                    case NodeDeleted deleted:
                        nodes.Remove(deleted.NodeId);
                        break;
                    case RemoteAccessChanged setting:
                        var key = SettingKey(setting.TargetKind, setting.Target);
                        if (setting.Enabled is { } enabled)
                        {
                            settings.Put(key, new RemoteAccessSettingRecord(setting.TargetKind, setting.Target, enabled, setting.ChangedRevision));
                        }
                        else
                        {
                            settings.Remove(key);
                        }

                        break;
                    default:
                        throw new InvalidOperationException($"unknown change {change.GetType().Name}");
                }
            }

            version = changes.Version;
        }

        return new AccountData(
            new AccountRecord(accountId, name, version!.Value.Revision, version.Value.Stamp),
            roles.Values(),
            users.Values(),
            nodes.Values(),
            settings.Values());
    }

    private static (RemoteAccessTarget, string) SettingKey(RemoteAccessTarget kind, string target) => (kind, target);

    private static KeyedRows<TKey, T> Keyed<TKey, T>(IReadOnlyList<T>? rows, Func<T, TKey> key)
        where TKey : notnull
    {
        var keyed = new KeyedRows<TKey, T>();
        foreach (var row in rows ?? [])
        {
            keyed.Put(key(row), row);
        }

        return keyed;
    }

    /// <summary>Rows by key in first-put order: a replaced row keeps its place, as an updated SQL row does.</summary>
    private sealed class KeyedRows<TKey, T>
        where TKey : notnull
    {
        private readonly Dictionary<TKey, int> _positions = [];
        private readonly List<T?> _rows = [];
        private readonly List<bool> _live = [];

        public void Put(TKey key, T row)
        {
            if (_positions.TryGetValue(key, out var at))
            {
                _rows[at] = row;
                return;
            }

            _positions.Add(key, _rows.Count);
            _rows.Add(row);
            _live.Add(true);
        }

        public void Remove(TKey key)
        {
            if (_positions.Remove(key, out var at))
            {
                _rows[at] = default;
                _live[at] = false;
            }
        }

        public T[] Values()
        {
            var values = new List<T>(_positions.Count);
            for (var i = 0; i < _rows.Count; i++)
            {
                if (_live[i])
                {
                    values.Add(_rows[i]!);
                }
            }

            return [.. values];
        }
    }
}
