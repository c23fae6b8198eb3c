using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.V1;
using DomainAccount = Qbee.Authz.Service.Domain.Model.AccountRecord;
using ProtoRecord = Qbee.Authz.V1.AccountRecord;

namespace Qbee.Authz.Service.Grpc.Validation;

/// <summary>
/// Reads an ImportAccount stream record by record into an <see cref="AccountImport"/>: each row validated as the
/// matching write validates it, then (at <see cref="Build"/>) every reference inside the account resolved and the
/// tree's shape checked as writes check it. Errors name the record as it came, e.g.
/// <c>records[12].node.parent_id</c> (records[0] is the account). What needs the store (an id another account holds)
/// is the store's to check.
/// </summary>
internal sealed class AccountImportBuilder(LimitsOptions limits)
{
    private readonly List<RoleRecord> _roles = [];
    private readonly List<UserRecord> _users = [];
    private readonly List<NodeRecord> _nodes = [];
    private readonly List<RemoteAccessSettingRecord> _settings = [];
    private readonly List<int> _userIndexes = [];
    private readonly List<int> _nodeIndexes = [];
    private readonly List<int> _settingIndexes = [];
    private readonly Dictionary<string, int> _roleIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _roleNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _userIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _emails = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _nodeIds = new(StringComparer.Ordinal); // id -> position in _nodes
    private readonly Dictionary<(RemoteAccessTarget, string), int> _targets = [];
    private DomainAccount? _account;
    private bool _replace;
    private bool _ended;
    private int _count;
    private long _bytes;

    /// <summary>The first record as it came: what the import's audit event says was asked.</summary>
    public ProtoRecord? First { get; private set; }

    public void Add(ProtoRecord record)
    {
        var i = _count++;
        var at = $"records[{i}]";
        if (_count > limits.MaxImportRecords)
        {
            throw new InvalidFieldException("records", $"more than {limits.MaxImportRecords} records (Authz:Limits:MaxImportRecords)");
        }

        _bytes += record.CalculateSize();
        if (_bytes > limits.MaxImportBytes)
        {
            throw new InvalidFieldException("records", $"more than {limits.MaxImportBytes} bytes of records (Authz:Limits:MaxImportBytes)");
        }

        if (_ended)
        {
            throw new InvalidFieldException(at, "follows the end record");
        }

        if (i == 0)
        {
            StartAccount(record);
            return;
        }

        if (record.Replace)
        {
            throw new InvalidFieldException($"{at}.replace", "only the account record (records[0]) may say replace");
        }

        switch (record.RecordCase)
        {
            case ProtoRecord.RecordOneofCase.Account:
                throw new InvalidFieldException($"{at}.account", "only the first record is the account");
            case ProtoRecord.RecordOneofCase.Role:
                AddRole(record.Role, i, at);
                break;
            case ProtoRecord.RecordOneofCase.User:
                AddUser(record.User, i, at);
                break;
            case ProtoRecord.RecordOneofCase.Node:
                AddNode(record.Node, i, at);
                break;
            case ProtoRecord.RecordOneofCase.RemoteAccess:
                AddSetting(record.RemoteAccess, i, at);
                break;
            case ProtoRecord.RecordOneofCase.End:
                End(record.End, at);
                break;
            default:
                throw new InvalidFieldException(at, "holds no record: one of account, role, user, node, remote_access, end");
        }
    }

    /// <summary>The account, once the stream has ended: references resolved, the tree checked and ordered.</summary>
    public AccountImport Build()
    {
        if (_account is null)
        {
            throw new InvalidFieldException("records", "the stream is empty: the first record must be the account");
        }

        // A restore from a file cut short (an export that failed midway) would replace the account with a part of it.
        if (!_ended)
        {
            throw new InvalidFieldException("records", $"the stream ended without its end record (after {Describe(CountsSoFar())}): it is not a whole export");
        }

        CheckRoleReferences();
        var nodes = PlaceNodes(out var nodeRecords);
        CheckSettingTargets();
        return new AccountImport(
            _account,
            _replace,
            _roles,
            _users,
            nodes,
            _settings,
            _userIndexes.Select(i => $"records[{i}].user").ToArray(),
            nodeRecords,
            CountsSoFar());
    }

    private void StartAccount(ProtoRecord record)
    {
        if (record.RecordCase != ProtoRecord.RecordOneofCase.Account)
        {
            throw new InvalidFieldException("records[0]", "the first record must be the account");
        }

        Ids.RequireId(record.Account.AccountId, "records[0].account.account_id");
        var name = TextRules.Require(record.Account.Name, "records[0].account.name", AdminLimits.MaxNameLength);

        // The revision is the one exported: the import makes its own.
        _account = new DomainAccount(record.Account.AccountId, name, 0);
        _replace = record.Replace;
        First = record;
    }

    private void AddRole(Role role, int i, string at)
    {
        Own(role.AccountId, v => role.AccountId = v, $"{at}.role.account_id");
        var record = Prefixed(at, () => AdminValidator.ToRecord(role, limits));
        Unique(_roleIds, record.RoleId, i, $"{at}.role.role_id", "role");
        Unique(_roleNames, record.Name, i, $"{at}.role.name", "role name");
        _roles.Add(record);
    }

    private void AddUser(User user, int i, string at)
    {
        Own(user.AccountId, v => user.AccountId = v, $"{at}.user.account_id");
        var record = Prefixed(at, () => AdminValidator.ToRecord(user));
        Unique(_userIds, record.UserId, i, $"{at}.user.user_id", "user");

        // Case-insensitive, as the store compares emails.
        Unique(_emails, record.Email.ToLowerInvariant(), i, $"{at}.user.email", "email");
        _users.Add(record);
        _userIndexes.Add(i);
    }

    private void AddNode(Node node, int i, string at)
    {
        Own(node.AccountId, v => node.AccountId = v, $"{at}.node.account_id");
        var record = Prefixed(at, () => AdminValidator.ToRecord(node));
        if (!_nodeIds.TryAdd(record.NodeId, _nodes.Count))
        {
            throw new InvalidFieldException(
                $"{at}.node.node_id", $"node '{record.NodeId}' is listed twice (also records[{_nodeIndexes[_nodeIds[record.NodeId]]}])");
        }

        _nodes.Add(record);
        _nodeIndexes.Add(i);
    }

    private void AddSetting(RemoteAccessEntry entry, int i, string at)
    {
        var byNode = entry.NodeId.Length > 0;
        if (byNode == entry.Tag.Length > 0)
        {
            throw new InvalidFieldException($"{at}.remote_access.node_id", "give exactly one of node_id and tag");
        }

        var (kind, target) = byNode ? (RemoteAccessTarget.Node, entry.NodeId) : (RemoteAccessTarget.Tag, entry.Tag);
        Ids.RequireId(target, $"{at}.remote_access.{(byNode ? "node_id" : "tag")}");
        var enabled = entry.Setting switch
        {
            RemoteAccessSetting.Enabled => true,
            RemoteAccessSetting.Disabled => false,
            _ => throw new InvalidFieldException($"{at}.remote_access.setting", "must be ENABLED or DISABLED"),
        };

        if (!_targets.TryAdd((kind, target), i))
        {
            throw new InvalidFieldException(
                $"{at}.remote_access", $"{(byNode ? "node" : "tag")} '{target}' has a setting already (records[{_targets[(kind, target)]}])");
        }

        // The changed revision is the store's to give; the position keeps the order tag settings were changed in.
        _settings.Add(new RemoteAccessSettingRecord(kind, target, enabled, 0));
        _settingIndexes.Add(i);
    }

    private void End(ImportCounts counts, string at)
    {
        var seen = CountsSoFar();
        var said = new AccountCounts(counts.Roles, counts.Users, counts.Nodes, counts.RemoteAccess);
        if (said != seen)
        {
            throw new InvalidFieldException(
                $"{at}.end", $"says {Describe(said)} but the stream held {Describe(seen)}: it is not the stream that was exported");
        }

        _ended = true;
    }

    private AccountCounts CountsSoFar() => new(_roles.Count, _users.Count, _nodes.Count, _settings.Count);

    private static string Describe(AccountCounts c) =>
        $"{c.Roles} roles, {c.Users} users, {c.Nodes} nodes, {c.RemoteAccess} remote-access settings";

    private void CheckRoleReferences()
    {
        for (var u = 0; u < _users.Count; u++)
        {
            var roleIds = _users[u].RoleIds;
            for (var k = 0; k < roleIds.Count; k++)
            {
                if (!_roleIds.ContainsKey(roleIds[k]))
                {
                    throw new NotFoundException($"records[{_userIndexes[u]}].user.role_ids[{k}]: role {roleIds[k]} is not in the import");
                }
            }
        }
    }

    /// <summary>
    /// Resolves each node's parent as a write does (an empty parent: root for a group, unassigned_group for a device;
    /// a device's unknown parent: unassigned_group), adds root and unassigned_group when the stream has not got them,
    /// and orders the tree from root down, refusing what a write refuses: a missing or device parent of a group, a
    /// reserved node out of place, a cycle, a group deeper than <see cref="GroupTree.MaxDepth"/>.
    /// </summary>
    private List<NodeRecord> PlaceNodes(out string[] nodeRecords)
    {
        var accountId = _account!.AccountId;
        var placed = new List<NodeRecord>(_nodes.Count + 2);
        var fields = new List<string>(_nodes.Count + 2);
        if (!_nodeIds.ContainsKey(Ids.Root))
        {
            placed.Add(new NodeRecord(accountId, Ids.Root, NodeKind.Group, "", Ids.Root, [], false));
            fields.Add("records");
        }

        if (!_nodeIds.ContainsKey(Ids.UnassignedGroup))
        {
            placed.Add(new NodeRecord(accountId, Ids.UnassignedGroup, NodeKind.Group, Ids.Root, Ids.UnassignedGroup, [], false));
            fields.Add("records");
        }

        for (var n = 0; n < _nodes.Count; n++)
        {
            var field = $"records[{_nodeIndexes[n]}].node";
            placed.Add(_nodes[n] with { ParentId = ParentOf(_nodes[n], field) });
            fields.Add(field);
        }

        var order = NodeOrder.ParentsFirst(placed);
        if (order.Count < placed.Count)
        {
            var reached = new bool[placed.Count];
            foreach (var n in order)
            {
                reached[n] = true;
            }

            var lost = Array.IndexOf(reached, false);
            throw new PreconditionFailedException(
                $"{fields[lost]}.parent_id: {placed[lost].ParentId} does not hang below root: the groups above {placed[lost].NodeId} form a cycle");
        }

        var depths = new Dictionary<string, int>(StringComparer.Ordinal) { [Ids.Root] = 0 };
        var ordered = new List<NodeRecord>(placed.Count);
        nodeRecords = new string[placed.Count];
        foreach (var n in order)
        {
            var node = placed[n];
            if (node.Kind == NodeKind.Group && node.NodeId != Ids.Root)
            {
                var depth = depths[node.ParentId] + 1;
                if (depth > GroupTree.MaxDepth)
                {
                    throw new InvalidFieldException(
                        $"{fields[n]}.parent_id", $"group {node.NodeId} would be at depth {depth} below root; the tree is at most {GroupTree.MaxDepth} groups deep");
                }

                depths[node.NodeId] = depth;
            }

            nodeRecords[ordered.Count] = fields[n];
            ordered.Add(node);
        }

        return ordered;
    }

    private string ParentOf(NodeRecord node, string field)
    {
        var requested = node.ParentId;
        if (node.NodeId == Ids.Root)
        {
            return requested.Length == 0
                ? ""
                : throw new PreconditionFailedException($"{field}.parent_id: root is the top of the tree and cannot have a parent");
        }

        if (requested == node.NodeId)
        {
            throw new PreconditionFailedException($"{field}.parent_id: node {node.NodeId} cannot be its own parent");
        }

        if (node.Kind == NodeKind.Group)
        {
            var parentId = requested.Length == 0 ? Ids.Root : requested;
            if (node.NodeId == Ids.UnassignedGroup && parentId != Ids.Root)
            {
                throw new PreconditionFailedException($"{field}.parent_id: unassigned_group must stay directly under root");
            }

            RequireGroup(parentId, field, missingIsError: true);
            return parentId;
        }

        // A device under a parent the account does not have lands where new devices land, as PutNode places it.
        return requested.Length > 0 && RequireGroup(requested, field, missingIsError: false) ? requested : Ids.UnassignedGroup;
    }

    /// <returns>Whether the parent is in the import (root and unassigned_group always are).</returns>
    private bool RequireGroup(string parentId, string field, bool missingIsError)
    {
        if (parentId is Ids.Root or Ids.UnassignedGroup)
        {
            return true;
        }

        if (!_nodeIds.TryGetValue(parentId, out var position))
        {
            return missingIsError
                ? throw new NotFoundException($"{field}.parent_id: parent_id {parentId} is not in the import")
                : false;
        }

        return _nodes[position].Kind == NodeKind.Group
            ? true
            : throw new PreconditionFailedException($"{field}.parent_id: parent_id {parentId} is a device; only a group can hold nodes");
    }

    private void CheckSettingTargets()
    {
        for (var s = 0; s < _settings.Count; s++)
        {
            var setting = _settings[s];
            if (setting.TargetKind == RemoteAccessTarget.Node && setting.Target is not (Ids.Root or Ids.UnassignedGroup) && !_nodeIds.ContainsKey(setting.Target))
            {
                throw new NotFoundException($"records[{_settingIndexes[s]}].remote_access.node_id: node {setting.Target} is not in the import");
            }
        }
    }

    /// <summary>A row's account id may be left empty (it is the import's); any other account is refused.</summary>
    private void Own(string accountId, Action<string> set, string field)
    {
        if (accountId.Length == 0)
        {
            set(_account!.AccountId);
        }
        else if (!string.Equals(accountId, _account!.AccountId, StringComparison.Ordinal))
        {
            throw new InvalidFieldException(field, $"must be empty or the import's account ({_account.AccountId}), not {accountId}");
        }
    }

    private static void Unique(Dictionary<string, int> seen, string key, int i, string field, string what)
    {
        if (!seen.TryAdd(key, i))
        {
            throw new InvalidFieldException(field, $"{what} '{key}' is listed twice (also records[{seen[key]}])");
        }
    }

    /// <summary>Runs the write's own validator and names the record in its answer.</summary>
    private static T Prefixed<T>(string at, Func<T> validate)
    {
        try
        {
            return validate();
        }
        catch (InvalidFieldException e)
        {
            throw new InvalidFieldException($"{at}.{e.Field}", e.Reason);
        }
    }
}
