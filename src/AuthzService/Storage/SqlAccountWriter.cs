using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Changes;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Storage;

/// <summary>
/// The account writes. Each is one write transaction that locks the account, checks what only the store can
/// (uniqueness across accounts, existence, the shape of the group tree: <see cref="SqlNodePlacement"/>) before it
/// writes anything, bumps the revision, and appends its change set (the rows as it stored them) to the change log
/// and its audit event, both with that revision: a refused write leaves the data, the revision and the log as they
/// were. A writer made with a <see cref="StoreDryRun"/> runs the same transaction up to the commit, hands it the
/// change set and rolls back: nothing stored, no revision drawn, no log row, no audit event.
/// </summary>
internal sealed class SqlAccountWriter(
    IStoreConnectionFactory connections, SqlDialect sql, SqlAuditLog auditLog, SqlChangeLog changeLog, TimeProvider timeProvider,
    StoreDryRun? dryRun = null)
{
    private readonly SqlNodePlacement _placement = new(sql);

    public async Task<long> CreateAccountAsync(
        AccountRecord account, RoleRecord defaultRole, UserRecord owner, AuditRecord audit, CancellationToken cancellationToken)
    {
        var accountId = account.AccountId;
        defaultRole = defaultRole with { AccountId = accountId };

        // The owner holds the default role; the account has no other role yet.
        var ownerRoles = owner.RoleIds.Contains(defaultRole.RoleId) ? owner.RoleIds : [defaultRole.RoleId, .. owner.RoleIds];
        owner = owner with { AccountId = accountId, RoleIds = ownerRoles };
        foreach (var roleId in owner.RoleIds)
        {
            if (roleId != defaultRole.RoleId)
            {
                throw new NotFoundException($"role {roleId} not found in account {accountId}");
            }
        }

        const long revision = 1;
        await using var tx = await StoreTransaction.BeginAsync(connections, write: true, cancellationToken);
        await tx.LockKeyAsync(sql, AccountKey(accountId));
        if (await tx.ScalarAsync<long>(sql.CountAccount, new { AccountId = accountId }) > 0)
        {
            throw new AlreadyExistsException($"account {accountId} already exists");
        }

        await LockUsersAsync(tx, [owner]);
        await CheckUserIsFreeAsync(tx, owner);

        var version = new AccountVersion(revision, NewStamp());
        var committedAt = Now();
        await tx.ExecuteAsync(sql.InsertAccount, new
        {
            AccountId = accountId,
            account.Name,
            Revision = revision,
            version.Stamp,
            CreatedAt = committedAt.ToUnixTimeMilliseconds(),
        });
        List<Change> changes = [new AccountPut(accountId, account.Name)];
        await UpsertNodeRowAsync(tx, new NodeRecord(accountId, Ids.Root, NodeKind.Group, "", Ids.Root, [], false), changes);
        await UpsertNodeRowAsync(tx, new NodeRecord(accountId, Ids.UnassignedGroup, NodeKind.Group, Ids.Root, Ids.UnassignedGroup, [], false), changes);
        await UpsertRoleRowAsync(tx, defaultRole, changes);
        await WriteUserRowsAsync(tx, owner, changes);
        var changeSet = new ChangeSet(accountId, version, 0, committedAt, changes);
        if (dryRun is not null)
        {
            dryRun.Rehearsed(changeSet);
            return 0; // rolled back by the dispose: the account does not exist
        }

        await changeLog.AppendAsync(tx, changeSet);
        await InsertAuditAsync(tx, audit, accountId, revision);
        await tx.CommitAsync();
        return revision;
    }

    public Task<long> PutRoleAsync(RoleRecord role, AuditRecord audit, CancellationToken cancellationToken) =>
        WriteAsync(role.AccountId, audit, async (tx, _, changes) =>
        {
            var holder = await tx.ScalarAsync<string>(sql.SelectRoleIdByName, new { role.AccountId, role.Name });
            if (holder is not null && holder != role.RoleId)
            {
                throw new AlreadyExistsException($"role name '{role.Name}' is taken by role {holder}");
            }

            await UpsertRoleRowAsync(tx, role, changes);
        }, cancellationToken);

    public Task<long> DeleteRoleAsync(string accountId, string roleId, AuditRecord audit, CancellationToken cancellationToken) =>
        WriteAsync(accountId, audit, async (tx, _, changes) =>
        {
            var key = new { AccountId = accountId, RoleId = roleId };
            if (await tx.ScalarAsync<long>(sql.CountRole, key) == 0)
            {
                throw new NotFoundException($"role {roleId} not found in account {accountId}");
            }

            var users = (await tx.QueryAsync<string>(sql.SelectRoleUserIds, key)).ToList();
            if (users.Count > 0)
            {
                // Ordinal, not the database collation: the message is the same on every provider.
                users.Sort(StringComparer.Ordinal);
                throw new PreconditionFailedException($"role {roleId} is assigned to users: {string.Join(", ", users)}");
            }

            await tx.ExecuteAsync(sql.DeleteRole, key);
            changes.Add(new RoleDeleted(roleId));
        }, cancellationToken);

    public Task<long> PutUserAsync(UserRecord user, AuditRecord audit, CancellationToken cancellationToken) =>
        WriteAsync(user.AccountId, audit, async (tx, _, changes) =>
        {
            await LockUsersAsync(tx, [user]);
            await PutUserRowsAsync(tx, user, changes);
        }, cancellationToken);

    public async Task<(IReadOnlyList<UserRecord> Users, long Revision)> PutUsersAsync(
        string accountId, IReadOnlyList<UserRecord> users, AuditRecord audit, CancellationToken cancellationToken)
    {
        // A tenant boundary, as for nodes: a user of another account must not land under this account's revision.
        for (var i = 0; i < users.Count; i++)
        {
            if (!string.Equals(users[i].AccountId, accountId, StringComparison.Ordinal))
            {
                throw new InvalidFieldException($"users[{i}].account_id", $"user {users[i].UserId} belongs to account {users[i].AccountId}, not {accountId}");
            }
        }

        // In order, in one transaction: each user is checked as PutUser checks it, and the first refusal undoes all.
        var revision = await WriteAsync(accountId, audit, async (tx, _, changes) =>
        {
            await LockUsersAsync(tx, users);
            foreach (var user in users)
            {
                await PutUserRowsAsync(tx, user, changes);
            }
        }, cancellationToken);
        return (users, revision);
    }

    private async Task PutUserRowsAsync(StoreTransaction tx, UserRecord user, List<Change> changes)
    {
        await CheckUserIsFreeAsync(tx, user);
        if (user.RoleIds.Count > 0)
        {
            var existing = (await tx.QueryAsync<string>(sql.SelectExistingRoleIds, new { user.AccountId, RoleIds = user.RoleIds.ToArray() }))
                .ToHashSet(StringComparer.Ordinal);
            foreach (var roleId in user.RoleIds)
            {
                if (!existing.Contains(roleId))
                {
                    throw new NotFoundException($"role {roleId} not found in account {user.AccountId}");
                }
            }
        }

        await WriteUserRowsAsync(tx, user, changes);
    }

    public Task<long> DeleteUserAsync(string accountId, string userId, AuditRecord audit, CancellationToken cancellationToken) =>
        WriteAsync(accountId, audit, async (tx, _, changes) =>
        {
            var owner = await tx.ScalarAsync<string>(sql.SelectUserAccountId, new { UserId = userId });
            if (owner != accountId)
            {
                throw new NotFoundException($"user {userId} not found in account {accountId}");
            }

            await tx.ExecuteAsync(sql.DeleteUserRoles, new { UserId = userId });
            await tx.ExecuteAsync(sql.DeleteUser, new { AccountId = accountId, UserId = userId });
            changes.Add(new UserDeleted(userId));
        }, cancellationToken);

    public async Task<(NodeRecord Node, long Revision)> PutNodeAsync(NodeRecord node, AuditRecord audit, CancellationToken cancellationToken)
    {
        var (stored, revision) = await PutNodesAsync(node.AccountId, [node], _ => "node", audit, cancellationToken);
        return (stored[0], revision);
    }

    public Task<(IReadOnlyList<NodeRecord> Nodes, long Revision)> PutNodesAsync(
        string accountId, IReadOnlyList<NodeRecord> nodes, AuditRecord audit, CancellationToken cancellationToken) =>
        PutNodesAsync(accountId, nodes, i => $"nodes[{i}]", audit, cancellationToken);

    /// <param name="fieldOf">The request field of the i-th node, named in INVALID_ARGUMENT answers.</param>
    private async Task<(IReadOnlyList<NodeRecord> Nodes, long Revision)> PutNodesAsync(
        string accountId, IReadOnlyList<NodeRecord> nodes, Func<int, string> fieldOf, AuditRecord audit, CancellationToken cancellationToken)
    {
        // A tenant boundary, not input validation: the admin layer checks it too, but a node of another account
        // written here would land under this account's lock and revision, invisible to the other's snapshot.
        for (var i = 0; i < nodes.Count; i++)
        {
            if (!string.Equals(nodes[i].AccountId, accountId, StringComparison.Ordinal))
            {
                throw new InvalidFieldException(fieldOf(i) + ".account_id", $"node {nodes[i].NodeId} belongs to account {nodes[i].AccountId}, not {accountId}");
            }
        }

        var stored = new List<NodeRecord>(nodes.Count);
        try
        {
            var revision = await WriteAsync(accountId, audit, async (tx, _, changes) =>
            {
                // Read once, and only when a group is added or moved; kept current as the nodes below are put.
                GroupTree? tree = null;
                async Task<GroupTree> TreeAsync() =>
                    tree ??= await _placement.ReadTreeAsync(tx, accountId);

                // Every row the rules look at, read up front in a few queries rather than several per node: the nodes
                // themselves, the parents they ask for, root, and which new devices another account holds. The account is
                // locked, so only this loop changes them, and it keeps the map current.
                var known = await _placement.FindNodesAsync(tx, accountId, nodes.Select(n => n.NodeId)
                    .Concat(nodes.Select(n => n.ParentId ?? "").Where(p => p.Length > 0)).Append(Ids.Root).ToHashSet(StringComparer.Ordinal));
                var heldElsewhere = await DevicesHeldElsewhereAsync(tx, accountId, nodes
                    .Where(n => n.Kind == NodeKind.Device && !known.ContainsKey(n.NodeId)).Select(n => n.NodeId).Distinct(StringComparer.Ordinal).ToList());

                // In order, checked before anything is written: a node may hang under a group created earlier in the same
                // request, and a refusal of any node leaves nothing to undo.
                var retagged = new List<NodeRecord>();
                for (var i = 0; i < nodes.Count; i++)
                {
                    var node = nodes[i];
                    var existing = known.GetValueOrDefault(node.NodeId);
                    var placed = await PlaceNodeAsync(node, existing, heldElsewhere, known, fieldOf(i), TreeAsync);
                    stored.Add(placed);
                    changes.Add(new NodePut(placed));
                    known[node.NodeId] = new NodeRow { NodeId = node.NodeId, Kind = (long)node.Kind, ParentId = placed.ParentId };
                    if (existing is not null)
                    {
                        retagged.Add(placed);
                    }

                    if (node.Kind == NodeKind.Group)
                    {
                        tree?.Set(node.NodeId, placed.ParentId);
                    }
                }

                await WriteNodeRowsAsync(tx, stored, retagged);
            }, cancellationToken);
            return (stored, revision);
        }
        catch (DeviceClaimLost lost)
        {
            // Read after the rollback: PostgreSQL refuses every statement of a transaction after an error.
            await using var check = await StoreTransaction.BeginAsync(connections, write: false, cancellationToken);
            var taken = await DevicesHeldElsewhereAsync(check, accountId, lost.Devices);
            throw DeviceIdTaken(lost.Devices.FirstOrDefault(taken.Contains) ?? lost.Devices[0]);
        }
    }

    /// <summary>The node as it will be stored, after every rule that needs the account's rows; writes nothing.</summary>
    private static async Task<NodeRecord> PlaceNodeAsync(
        NodeRecord node, NodeRow? existing, HashSet<string> heldElsewhere, IReadOnlyDictionary<string, NodeRow> known, string field, Func<Task<GroupTree>> tree)
    {
        if (existing is not null && existing.Kind != (long)node.Kind)
        {
            throw new PreconditionFailedException(
                $"node {node.NodeId} is a {KindName((NodeKind)existing.Kind)}; its type cannot change");
        }

        if (existing is null && node.Kind == NodeKind.Device && heldElsewhere.Contains(node.NodeId))
        {
            throw DeviceIdTaken(node.NodeId);
        }

        var parentId = SqlNodePlacement.ResolveParent(node, known);
        if (node.Kind == NodeKind.Group && parentId.Length > 0 && parentId != existing?.ParentId)
        {
            SqlNodePlacement.CheckPlaceInTree(await tree(), node.NodeId, parentId, moving: existing is not null, field);
        }

        return node with { ParentId = parentId, Title = node.Title ?? "", Tags = node.Tags.ToArray() };
    }

    /// <summary>
    /// The rows of the placed nodes, each statement over the whole list in as few round trips as the dialect takes
    /// (<see cref="SqlRows"/>): the nodes, then the old tags of the nodes that existed, then every tag. A node put
    /// twice in one request keeps its last form.
    /// </summary>
    private async Task WriteNodeRowsAsync(StoreTransaction tx, List<NodeRecord> placed, List<NodeRecord> existed)
    {
        // A node put twice: only its last form (and its last tags, after the delete below removed what the store had).
        var last = new Dictionary<string, NodeRecord>(placed.Count, StringComparer.Ordinal);
        foreach (var node in placed)
        {
            last[node.NodeId] = node;
        }

        var nodes = last.Values.ToList();
        try
        {
            await SqlRows.WriteAsync(tx, sql, sql.UpsertNode, nodes,
                ("AccountId", n => n.AccountId), ("NodeId", n => n.NodeId), ("Kind", n => (long)n.Kind), ("ParentId", n => n.ParentId),
                ("Title", n => n.Title), ("AgentRemoteAccessDisabled", n => n.AgentRemoteAccessDisabled));
        }
        catch (System.Data.Common.DbException e) when (sql.IsDeviceIdTaken(e))
        {
            // Another account's writer put one of these devices between our check and our insert: named once the
            // transaction is rolled back (PutNodesAsync).
            throw new DeviceClaimLost(placed.Where(n => n.Kind == NodeKind.Device).Select(n => n.NodeId).Distinct(StringComparer.Ordinal).ToList());
        }

        if (existed.Count > 0)
        {
            await tx.ExecuteAsync(sql.DeleteNodeTags, existed.Select(n => new { n.AccountId, n.NodeId }).Distinct().ToList());
        }

        await SqlRows.WriteAsync(tx, sql, sql.InsertNodeTag,
            nodes.SelectMany(node => node.Tags.Select((tag, position) => (node.AccountId, node.NodeId, Tag: tag, Position: (long)position))).ToList(),
            ("AccountId", t => t.AccountId), ("NodeId", t => t.NodeId), ("Tag", t => t.Tag), ("Position", t => t.Position));
    }

    private async Task<HashSet<string>> DevicesHeldElsewhereAsync(StoreTransaction tx, string accountId, IReadOnlyList<string> deviceIds)
    {
        return deviceIds.Count == 0
            ? []
            : (await tx.QueryAsync<string>(sql.SelectDevicesHeldElsewhere, new { AccountId = accountId, NodeIds = SqlIdList.Json(deviceIds) }))
                .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The unique index refused one of <see cref="Devices"/>: another account committed it after our check.</summary>
    private sealed class DeviceClaimLost(IReadOnlyList<string> devices) : Exception
    {
        public IReadOnlyList<string> Devices { get; } = devices;
    }

    // The other account is not named: accounts never learn about each other.
    private static AlreadyExistsException DeviceIdTaken(string deviceId) => new($"device_id {deviceId} is taken");

    public Task<long> DeleteNodeAsync(string accountId, string nodeId, AuditRecord audit, CancellationToken cancellationToken) =>
        WriteAsync(accountId, audit, async (tx, _, changes) =>
        {
            if (nodeId is Ids.Root or Ids.UnassignedGroup)
            {
                throw new PreconditionFailedException($"node {nodeId} is reserved and cannot be deleted");
            }

            var key = new { AccountId = accountId, NodeId = nodeId };
            var existing = await _placement.FindNodeAsync(tx, accountId, nodeId)
                ?? throw new NotFoundException($"node {nodeId} not found in account {accountId}");
            if (existing.Kind == (long)NodeKind.Group && await tx.ScalarAsync<long>(sql.CountChildren, key) > 0)
            {
                throw new PreconditionFailedException($"group {nodeId} is not empty");
            }

            await tx.ExecuteAsync(sql.DeleteNodeTags, key);
            var settingsCleared = await tx.ExecuteAsync(sql.DeleteRemoteAccessSetting, new
            {
                AccountId = accountId,
                TargetKind = (long)RemoteAccessTarget.Node,
                Target = nodeId,
            });

            // Only when the node had a setting (the delete's row count says so): a change set holds what changed.
            if (settingsCleared > 0)
            {
                changes.Add(new RemoteAccessChanged(RemoteAccessTarget.Node, nodeId, null, 0));
            }

            await tx.ExecuteAsync(sql.DeleteNode, key);
            changes.Add(new NodeDeleted(nodeId));
        }, cancellationToken);

    public Task<long> SetRemoteAccessAsync(
        string accountId, RemoteAccessTarget targetKind, string target, bool? enabled, AuditRecord audit, CancellationToken cancellationToken) =>
        WriteAsync(accountId, audit, async (tx, revision, changes) =>
        {
            if (targetKind == RemoteAccessTarget.Node && await _placement.FindNodeAsync(tx, accountId, target) is null)
            {
                throw new NotFoundException($"node {target} not found in account {accountId}");
            }

            var key = new { AccountId = accountId, TargetKind = (long)targetKind, Target = target };
            if (enabled is { } value)
            {
                await tx.ExecuteAsync(sql.UpsertRemoteAccessSetting, new
                {
                    key.AccountId,
                    key.TargetKind,
                    key.Target,
                    Enabled = value,
                    ChangedRevision = revision,
                });
            }
            else
            {
                await tx.ExecuteAsync(sql.DeleteRemoteAccessSetting, key);
            }

            // Clearing a setting that was not there is still the write the caller asked for: applying it is a no-op.
            changes.Add(new RemoteAccessChanged(targetKind, target, enabled, revision));
        }, cancellationToken);

    /// <summary>
    /// The frame of every write to an existing account: lock the account, apply (which checks before it writes, and
    /// adds the rows it stored to the change set), bump the revision by one, append the change set and the audit
    /// event with it, commit. <paramref name="apply"/> gets the new revision. A dry run stops before the bump and
    /// returns the current revision.
    /// </summary>
    private async Task<long> WriteAsync(
        string accountId, AuditRecord audit, Func<StoreTransaction, long, List<Change>, Task> apply, CancellationToken cancellationToken)
    {
        await using var tx = await StoreTransaction.BeginAsync(connections, write: true, cancellationToken);
        var current = await tx.SingleOrDefaultAsync<AccountVersionRow>(sql.SelectAccountRevisionForUpdate, new { AccountId = accountId })
            ?? throw new NotFoundException($"account {accountId} not found");
        var version = new AccountVersion(current.Revision + 1, NewStamp());
        var revision = version.Revision;
        var changes = new List<Change>();
        await apply(tx, revision, changes);
        var changeSet = new ChangeSet(accountId, version, current.Stamp, Now(), changes);
        if (dryRun is not null)
        {
            dryRun.Rehearsed(changeSet);
            return current.Revision; // rolled back by the dispose
        }

        await tx.ExecuteAsync(sql.UpdateAccountRevision, new { AccountId = accountId, Revision = revision, version.Stamp });
        await changeLog.AppendAsync(tx, changeSet);
        await InsertAuditAsync(tx, audit, accountId, revision);
        await tx.CommitAsync();
        return revision;
    }

    /// <summary>The key a new account's writers lock (<see cref="SqlDialect.LockKey"/>): there is no row yet.</summary>
    internal static string AccountKey(string accountId) => "account:" + accountId;

    /// <summary>Not a secret, only distinct: two histories of one account never draw the same stamp in practice.</summary>
    internal static long NewStamp() => Random.Shared.NextInt64(1, long.MaxValue);

    private Task InsertAuditAsync(StoreTransaction tx, AuditRecord audit, string accountId, long revision) =>
        auditLog.AppendAsync(tx, [audit with { AccountId = accountId, Revision = revision }]);

    /// <summary>
    /// The keys of the users' ids and emails, locked before <see cref="CheckUserIsFreeAsync"/> reads them (nothing to
    /// lock if no row holds them yet), all at once and sorted: two writers asking for the same users in another order
    /// must not each hold what the other waits for.
    /// </summary>
    private Task LockUsersAsync(StoreTransaction tx, IReadOnlyList<UserRecord> users) =>
        tx.LockKeysAsync(sql, users.SelectMany(user => new[] { "user:" + user.UserId, "email:" + NormalizeEmail(user.Email) }));

    /// <summary>User ids and emails are unique across the platform, not only in the account: the caller has locked both (<see cref="LockUsersAsync"/>).</summary>
    private async Task CheckUserIsFreeAsync(StoreTransaction tx, UserRecord user)
    {
        var holderAccount = await tx.ScalarAsync<string>(sql.SelectUserAccountId, new { user.UserId });
        if (holderAccount is not null && holderAccount != user.AccountId)
        {
            // The other account is not named: accounts never learn about each other.
            throw new AlreadyExistsException($"user_id {user.UserId} is taken");
        }

        var emailNormalized = NormalizeEmail(user.Email);
        var emailHolder = await tx.ScalarAsync<string>(sql.SelectUserIdByEmail, new { EmailNormalized = emailNormalized });
        if (emailHolder is not null && emailHolder != user.UserId)
        {
            throw new AlreadyExistsException($"email '{user.Email}' is taken");
        }
    }

    private async Task WriteUserRowsAsync(StoreTransaction tx, UserRecord user, List<Change> changes)
    {
        await tx.ExecuteAsync(sql.UpsertUser, new
        {
            user.UserId,
            user.AccountId,
            user.Email,
            EmailNormalized = NormalizeEmail(user.Email),
            user.FirstName,
            user.LastName,
            Status = (long)user.Status,
        });
        await tx.ExecuteAsync(sql.DeleteUserRoles, new { user.UserId });
        await SqlRows.WriteAsync(tx, sql, sql.InsertUserRole, user.RoleIds.Select((roleId, position) => (RoleId: roleId, Position: (long)position)).ToList(),
            ("UserId", _ => user.UserId), ("AccountId", _ => user.AccountId), ("RoleId", r => r.RoleId), ("Position", r => r.Position));

        changes.Add(new UserPut(user with { RoleIds = user.RoleIds.ToArray() }));
    }

    private async Task UpsertRoleRowAsync(StoreTransaction tx, RoleRecord role, List<Change> changes)
    {
        var stored = role with { Description = role.Description ?? "" };
        await tx.ExecuteAsync(sql.UpsertRole, new
        {
            stored.AccountId,
            stored.RoleId,
            stored.Name,
            stored.Description,
            Policies = PolicyJson.Serialize(stored.Policies),
        });
        changes.Add(new RolePut(stored));
    }

    /// <summary>Adds the node to the change set as given: the caller has resolved its parent and tags.</summary>
    private async Task UpsertNodeRowAsync(StoreTransaction tx, NodeRecord node, List<Change> changes)
    {
        await tx.ExecuteAsync(sql.UpsertNode, new
        {
            node.AccountId,
            node.NodeId,
            Kind = (long)node.Kind,
            node.ParentId,
            Title = node.Title ?? "",
            node.AgentRemoteAccessDisabled,
        });
        changes.Add(new NodePut(node with { Title = node.Title ?? "" }));
    }

    private static string KindName(NodeKind kind) => kind == NodeKind.Device ? "device" : "group";

    // Emails compare case-insensitively across the platform; the address itself is kept as given.
    internal static string NormalizeEmail(string email) => email.ToLowerInvariant();

    /// <summary>At millisecond precision: what the store keeps.</summary>
    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
}
