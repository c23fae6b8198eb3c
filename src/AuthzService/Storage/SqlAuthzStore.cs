using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Storage;

/// <summary>
/// The store logic, shared by every SQL provider: the provider only brings its <see cref="SqlDialect"/> and its
/// <see cref="IStoreConnectionFactory"/>. Each write checks the rules inside its transaction before it writes
/// anything, so a refused write leaves the data (and the revision) as it was.
/// </summary>
internal sealed class SqlAuthzStore(IStoreConnectionFactory connections, SqlDialect sql, TimeProvider timeProvider) : IAuthzStore
{
    // A refused migration lists this many conflicts at most, then how many more there are.
    private const int MaxListedConflicts = 100;

    private readonly SqlAuditLog _auditLog = new(sql);

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var migrations = sql.Migrations;
        for (var i = 1; i < migrations.Count; i++)
        {
            if (migrations[i].Version <= migrations[i - 1].Version)
            {
                throw new InvalidOperationException("Store migrations must have ascending, unique versions.");
            }
        }

        await using (var setup = await BeginAsync(write: true, cancellationToken))
        {
            await setup.ExecuteAsync(sql.CreateMigrationsTable);
            var applied = await setup.QueryAsync<long>(sql.SelectMigrationVersions);
            var latestKnown = migrations.Count == 0 ? 0 : migrations[^1].Version;
            var latestApplied = applied.DefaultIfEmpty(0).Max();
            if (latestApplied > latestKnown)
            {
                // An older binary must not write into a schema it does not know.
                throw new InvalidOperationException(
                    $"The database schema is at version {latestApplied}; this service knows versions up to {latestKnown}.");
            }

            await setup.CommitAsync();
        }

        foreach (var migration in migrations)
        {
            await using var tx = await BeginAsync(write: true, cancellationToken);

            // Checked inside the write transaction: two instances starting together apply it once.
            if (await tx.ScalarAsync<long>(sql.CountMigration, new { migration.Version }) > 0)
            {
                continue;
            }

            if (migration.Guard is { } guard)
            {
                await CheckMigrationGuardAsync(tx, migration, guard);
            }

            foreach (var statement in migration.Statements)
            {
                await tx.ExecuteAsync(statement);
            }

            await tx.ExecuteAsync(sql.InsertMigration, new { migration.Version, AppliedAt = NowMilliseconds() });
            await tx.CommitAsync();
        }

        await _auditLog.MoveLegacyEventsAsync(() => BeginAsync(write: true, cancellationToken));
    }

    /// <summary>Refuses the migration, before any of its statements ran, when the store holds data it cannot take.</summary>
    private static async Task CheckMigrationGuardAsync(StoreTransaction tx, SqlMigration migration, SqlMigrationGuard guard)
    {
        var conflicts = (await tx.QueryAsync<MigrationConflictRow>(guard.Query))
            .GroupBy(r => r.Subject, StringComparer.Ordinal)
            .Select(g => $"{g.Key} (held by {string.Join(", ", g.Select(r => r.Holder))})")
            .ToList();
        if (conflicts.Count == 0)
        {
            return;
        }

        var listed = string.Join("; ", conflicts.Take(MaxListedConflicts));
        var more = conflicts.Count > MaxListedConflicts ? $"; and {conflicts.Count - MaxListedConflicts} more" : "";
        throw new InvalidOperationException(
            $"The database schema cannot move to version {migration.Version} ({migration.Name}): {guard.Problem}: "
            + $"{listed}{more}. Nothing was changed; resolve these, then start the service again.");
    }

    public async Task<long> CreateAccountAsync(
        AccountRecord account, RoleRecord defaultRole, UserRecord owner, AuditRecord audit, CancellationToken cancellationToken)
    {
        Ids.RequireId(account.AccountId, "account_id");
        var accountId = account.AccountId;
        defaultRole = defaultRole with { AccountId = accountId };
        ValidateRole(defaultRole);

        // The owner holds the default role; the account has no other role yet.
        var ownerRoles = owner.RoleIds.Contains(defaultRole.RoleId) ? owner.RoleIds : [defaultRole.RoleId, .. owner.RoleIds];
        owner = owner with { AccountId = accountId, RoleIds = ownerRoles };
        ValidateUser(owner, "owner");
        foreach (var roleId in owner.RoleIds)
        {
            if (roleId != defaultRole.RoleId)
            {
                throw new NotFoundException($"role {roleId} not found in account {accountId}");
            }
        }

        const long revision = 1;
        await using var tx = await BeginAsync(write: true, cancellationToken);
        if (await tx.ScalarAsync<long>(sql.CountAccount, new { AccountId = accountId }) > 0)
        {
            throw new AlreadyExistsException($"account {accountId} already exists");
        }

        await CheckUserIsFreeAsync(tx, owner);

        await tx.ExecuteAsync(sql.InsertAccount, new
        {
            AccountId = accountId,
            account.Name,
            Revision = revision,
            Stamp = NewStamp(),
            CreatedAt = NowMilliseconds(),
        });
        await UpsertNodeRowAsync(tx, new NodeRecord(accountId, Ids.Root, NodeKind.Group, "", Ids.Root, [], false));
        await UpsertNodeRowAsync(tx, new NodeRecord(accountId, Ids.UnassignedGroup, NodeKind.Group, Ids.Root, Ids.UnassignedGroup, [], false));
        await UpsertRoleRowAsync(tx, defaultRole);
        await WriteUserRowsAsync(tx, owner);
        await InsertAuditAsync(tx, audit, accountId, revision);
        await tx.CommitAsync();
        return revision;
    }

    public Task<long> PutRoleAsync(RoleRecord role, AuditRecord audit, CancellationToken cancellationToken)
    {
        ValidateRole(role);
        return WriteAsync(role.AccountId, audit, async (tx, _) =>
        {
            var holder = await tx.ScalarAsync<string>(sql.SelectRoleIdByName, new { role.AccountId, role.Name });
            if (holder is not null && holder != role.RoleId)
            {
                throw new AlreadyExistsException($"role name '{role.Name}' is taken by role {holder}");
            }

            await UpsertRoleRowAsync(tx, role);
        }, cancellationToken);
    }

    public Task<long> DeleteRoleAsync(string accountId, string roleId, AuditRecord audit, CancellationToken cancellationToken)
    {
        Ids.RequireId(accountId, "account_id");
        Ids.RequireId(roleId, "role_id");
        return WriteAsync(accountId, audit, async (tx, _) =>
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
        }, cancellationToken);
    }

    public Task<long> PutUserAsync(UserRecord user, AuditRecord audit, CancellationToken cancellationToken)
    {
        ValidateUser(user, "user");
        return WriteAsync(user.AccountId, audit, async (tx, _) =>
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

            await WriteUserRowsAsync(tx, user);
        }, cancellationToken);
    }

    public Task<long> DeleteUserAsync(string accountId, string userId, AuditRecord audit, CancellationToken cancellationToken)
    {
        Ids.RequireId(accountId, "account_id");
        Ids.RequireId(userId, "user_id");
        return WriteAsync(accountId, audit, async (tx, _) =>
        {
            var owner = await tx.ScalarAsync<string>(sql.SelectUserAccountId, new { UserId = userId });
            if (owner != accountId)
            {
                throw new NotFoundException($"user {userId} not found in account {accountId}");
            }

            await tx.ExecuteAsync(sql.DeleteUserRoles, new { UserId = userId });
            await tx.ExecuteAsync(sql.DeleteUser, new { AccountId = accountId, UserId = userId });
        }, cancellationToken);
    }

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
        for (var i = 0; i < nodes.Count; i++)
        {
            ValidateNode(nodes[i], fieldOf(i));
            if (nodes[i].AccountId != accountId)
            {
                throw new InvalidFieldException("nodes", $"node {nodes[i].NodeId} belongs to account {nodes[i].AccountId}, not {accountId}");
            }
        }

        var stored = new List<NodeRecord>(nodes.Count);
        var revision = await WriteAsync(accountId, audit, async (tx, _) =>
        {
            // Read once, and only when a group is added or moved; kept current as the nodes below are put.
            GroupTree? tree = null;
            async Task<GroupTree> TreeAsync() =>
                tree ??= new GroupTree((await tx.QueryAsync<GroupParentRow>(sql.SelectGroupParents, new { AccountId = accountId }))
                    .Select(g => (g.GroupId, g.ParentId)));

            // In order, in one transaction: a node may hang under a group created earlier in the same request.
            for (var i = 0; i < nodes.Count; i++)
            {
                var node = nodes[i];
                try
                {
                    stored.Add(await PutNodeRowsAsync(tx, node, fieldOf(i), TreeAsync));
                }
                catch (System.Data.Common.DbException e) when (sql.IsDeviceIdTaken(e))
                {
                    // Another account's writer put the same device between our check and our insert.
                    throw DeviceIdTaken(node.NodeId);
                }

                if (node.Kind == NodeKind.Group)
                {
                    tree?.Set(node.NodeId, stored[i].ParentId);
                }
            }
        }, cancellationToken);
        return (stored, revision);
    }

    private async Task<NodeRecord> PutNodeRowsAsync(StoreTransaction tx, NodeRecord node, string field, Func<Task<GroupTree>> tree)
    {
        var existing = await FindNodeAsync(tx, node.AccountId, node.NodeId);
        if (existing is not null && existing.Kind != (long)node.Kind)
        {
            throw new PreconditionFailedException(
                $"node {node.NodeId} is a {KindName((NodeKind)existing.Kind)}; its type cannot change");
        }

        if (existing is null && node.Kind == NodeKind.Device
            && await tx.ScalarAsync<string>(sql.SelectDeviceHolder, new { node.AccountId, node.NodeId }) is not null)
        {
            throw DeviceIdTaken(node.NodeId);
        }

        var parentId = await ResolveParentAsync(tx, node);
        if (node.Kind == NodeKind.Group && parentId.Length > 0 && parentId != existing?.ParentId)
        {
            CheckPlaceInTree(await tree(), node.NodeId, parentId, moving: existing is not null, field);
        }

        var stored = node with { ParentId = parentId, Tags = node.Tags.ToArray() };
        await UpsertNodeRowAsync(tx, stored);
        await tx.ExecuteAsync(sql.DeleteNodeTags, new { node.AccountId, node.NodeId });
        await InsertTagsAsync(tx, stored);
        return stored;
    }

    // The other account is not named: accounts never learn about each other.
    private static AlreadyExistsException DeviceIdTaken(string deviceId) => new($"device_id {deviceId} is taken");

    /// <summary>
    /// A group added under, or moved (with its subtree) under, <paramref name="parentId"/>: it must not land inside
    /// itself, and no group of it may end up deeper than <see cref="GroupTree.MaxDepth"/>.
    /// </summary>
    private static void CheckPlaceInTree(GroupTree tree, string groupId, string parentId, bool moving, string field)
    {
        if (moving && tree.IsAtOrBelow(parentId, groupId))
        {
            throw new PreconditionFailedException($"group {groupId} cannot move under {parentId}, which is inside it");
        }

        var parentDepth = tree.DepthOf(parentId);
        if (parentDepth == GroupTree.Detached)
        {
            throw new PreconditionFailedException($"parent_id {parentId} is not connected to root");
        }

        var depth = parentDepth + 1;
        var height = moving ? tree.HeightBelow(groupId, GroupTree.MaxDepth) : 0;
        if (depth + height <= GroupTree.MaxDepth)
        {
            return;
        }

        var reason = height == 0
            ? $"group {groupId} would be at depth {depth} below root"
            : $"group {groupId} would be at depth {depth} below root, and the groups inside it down to depth {depth + height}";
        throw new InvalidFieldException($"{field}.parent_id", $"{reason}; the tree is at most {GroupTree.MaxDepth} groups deep");
    }

    public Task<long> DeleteNodeAsync(string accountId, string nodeId, AuditRecord audit, CancellationToken cancellationToken)
    {
        Ids.RequireId(accountId, "account_id");
        Ids.RequireId(nodeId, "node_id");
        return WriteAsync(accountId, audit, async (tx, _) =>
        {
            if (nodeId is Ids.Root or Ids.UnassignedGroup)
            {
                throw new PreconditionFailedException($"node {nodeId} is reserved and cannot be deleted");
            }

            var key = new { AccountId = accountId, NodeId = nodeId };
            var existing = await FindNodeAsync(tx, accountId, nodeId)
                ?? throw new NotFoundException($"node {nodeId} not found in account {accountId}");
            if (existing.Kind == (long)NodeKind.Group && await tx.ScalarAsync<long>(sql.CountChildren, key) > 0)
            {
                throw new PreconditionFailedException($"group {nodeId} is not empty");
            }

            await tx.ExecuteAsync(sql.DeleteNodeTags, key);
            await tx.ExecuteAsync(sql.DeleteRemoteAccessSetting, new
            {
                AccountId = accountId,
                TargetKind = (long)RemoteAccessTarget.Node,
                Target = nodeId,
            });
            await tx.ExecuteAsync(sql.DeleteNode, key);
        }, cancellationToken);
    }

    public Task<long> SetRemoteAccessAsync(
        string accountId, RemoteAccessTarget targetKind, string target, bool? enabled, AuditRecord audit, CancellationToken cancellationToken)
    {
        Ids.RequireId(accountId, "account_id");
        switch (targetKind)
        {
            case RemoteAccessTarget.Node:
                Ids.RequireId(target, "node_id");
                break;
            case RemoteAccessTarget.Tag:
                Ids.RequireId(target, "tag");
                break;
            default:
                throw new InvalidFieldException("target", "must be a node or a tag");
        }

        return WriteAsync(accountId, audit, async (tx, revision) =>
        {
            if (targetKind == RemoteAccessTarget.Node && await FindNodeAsync(tx, accountId, target) is null)
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
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<AccountRecord>> ListAccountsAsync(CancellationToken cancellationToken)
    {
        await using var tx = await BeginAsync(write: false, cancellationToken);
        return (await tx.QueryAsync<AccountRecord>(sql.SelectAccounts)).ToList();
    }

    public async Task<AccountRecord?> GetAccountAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var tx = await BeginAsync(write: false, cancellationToken);
        return await tx.SingleOrDefaultAsync<AccountRecord>(sql.SelectAccount, new { AccountId = accountId });
    }

    public async Task<AccountData?> LoadAccountAsync(string accountId, CancellationToken cancellationToken)
    {
        var key = new { AccountId = accountId };
        await using var tx = await BeginAsync(write: false, cancellationToken);
        var account = await tx.SingleOrDefaultAsync<AccountRecord>(sql.SelectAccount, key);
        if (account is null)
        {
            return null;
        }

        var roles = await ReadRolesAsync(tx, accountId);
        var users = await ReadUsersAsync(tx, accountId);

        // Two queries for the whole tree, however large: tags are grouped in memory, never fetched per node.
        // Read by ordinal rather than mapped by Dapper: with 100k nodes the per-row mapping doubled the load time.
        // The flag is read with GetBoolean: an INTEGER on SQLite, a BIT on SQL Server.
        var tagsByNode = await ReadTagsAsync(tx, key);
        var nodes = await ReadNodesAsync(tx, accountId, tagsByNode, key);

        var settings = (await tx.QueryAsync<RemoteAccessSettingRow>(sql.SelectRemoteAccessSettings, key))
            .Select(s => new RemoteAccessSettingRecord((RemoteAccessTarget)s.TargetKind, s.Target, s.Enabled, s.ChangedRevision))
            .ToList();

        await tx.CommitAsync();
        return new AccountData(account, roles, users, nodes, settings);
    }

    public async Task<(IReadOnlyList<RoleRecord> Roles, long Revision)?> ListRolesAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var tx = await BeginAsync(write: false, cancellationToken);
        var account = await tx.SingleOrDefaultAsync<AccountRecord>(sql.SelectAccount, new { AccountId = accountId });
        return account is null ? null : (await ReadRolesAsync(tx, accountId), account.Revision);
    }

    public async Task<(IReadOnlyList<UserRecord> Users, long Revision)?> ListUsersAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var tx = await BeginAsync(write: false, cancellationToken);
        var account = await tx.SingleOrDefaultAsync<AccountRecord>(sql.SelectAccount, new { AccountId = accountId });
        return account is null ? null : (await ReadUsersAsync(tx, accountId), account.Revision);
    }

    public async Task<(NodeRecord? Node, long Revision)?> GetNodeAsync(string accountId, string nodeId, CancellationToken cancellationToken)
    {
        var key = new { AccountId = accountId, NodeId = nodeId };
        await using var tx = await BeginAsync(write: false, cancellationToken);
        var account = await tx.SingleOrDefaultAsync<AccountRecord>(sql.SelectAccount, key);
        if (account is null)
        {
            return null;
        }

        var tags = (await tx.QueryAsync<string>(sql.SelectTagsOfNode, key)).ToList();
        await using var reader = await tx.ReaderAsync(sql.SelectFullNode, key);
        var node = await reader.ReadAsync()
            ? new NodeRecord(accountId, reader.GetString(0), (NodeKind)reader.GetInt64(1), reader.GetString(2), reader.GetString(3), tags, reader.GetBoolean(4))
            : null;
        return (node, account.Revision);
    }

    public async Task<string?> FindUserAccountIdAsync(string userId, CancellationToken cancellationToken)
    {
        await using var tx = await BeginAsync(write: false, cancellationToken);
        return await tx.SingleOrDefaultAsync<string>(sql.SelectUserAccountId, new { UserId = userId });
    }

    private async Task<List<RoleRecord>> ReadRolesAsync(StoreTransaction tx, string accountId) =>
        (await tx.QueryAsync<RoleRow>(sql.SelectRoles, new { AccountId = accountId }))
            .Select(r => new RoleRecord(accountId, r.RoleId, r.Name, r.Description, PolicyJson.Deserialize(r.Policies)))
            .ToList();

    private async Task<List<UserRecord>> ReadUsersAsync(StoreTransaction tx, string accountId)
    {
        var key = new { AccountId = accountId };
        var rolesByUser = GroupOrdered(
            await tx.QueryAsync<UserRoleRow>(sql.SelectUserRoles, key), r => r.UserId, r => r.RoleId);
        return (await tx.QueryAsync<UserRow>(sql.SelectUsers, key))
            .Select(u => new UserRecord(
                accountId,
                u.UserId,
                u.Email,
                u.FirstName,
                u.LastName,
                rolesByUser.TryGetValue(u.UserId, out var roleIds) ? roleIds : [],
                (UserState)u.Status))
            .ToList();
    }

    public async Task AppendAuditEventsAsync(IReadOnlyList<AuditRecord> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        await using var tx = await BeginAsync(write: true, cancellationToken);
        await _auditLog.AppendAsync(tx, events);
        await tx.CommitAsync();
    }

    public async Task<IReadOnlyList<AuditRecord>> ListAuditEventsAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        await using var tx = await BeginAsync(write: false, cancellationToken);
        return await _auditLog.ListAsync(tx, query);
    }

    public async Task<AuditPurgeBatch> DeleteAuditEventsBeforeAsync(DateTimeOffset cutoff, int maxSegments, CancellationToken cancellationToken)
    {
        await using var tx = await BeginAsync(write: true, cancellationToken);
        var purged = await _auditLog.DeleteExpiredAsync(tx, cutoff, maxSegments);
        await tx.CommitAsync();
        return purged;
    }

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var tx = await BeginAsync(write: false, cancellationToken);
        await tx.ScalarAsync<long>(sql.Ping);
    }

    /// <summary>
    /// The frame of every write to an existing account: lock the account, apply (which checks before it writes),
    /// bump the revision by one, record the audit event with it, commit. <paramref name="apply"/> gets the new
    /// revision.
    /// </summary>
    private async Task<long> WriteAsync(
        string accountId, AuditRecord audit, Func<StoreTransaction, long, Task> apply, CancellationToken cancellationToken)
    {
        await using var tx = await BeginAsync(write: true, cancellationToken);
        var current = await tx.ScalarAsync<long?>(sql.SelectAccountRevisionForUpdate, new { AccountId = accountId })
            ?? throw new NotFoundException($"account {accountId} not found");
        var revision = current + 1;
        await apply(tx, revision);
        await tx.ExecuteAsync(sql.UpdateAccountRevision, new { AccountId = accountId, Revision = revision, Stamp = NewStamp() });
        await InsertAuditAsync(tx, audit, accountId, revision);
        await tx.CommitAsync();
        return revision;
    }

    /// <summary>Not a secret, only distinct: two histories of one account never draw the same stamp in practice.</summary>
    private static long NewStamp() => Random.Shared.NextInt64(1, long.MaxValue);

    private async Task<StoreTransaction> BeginAsync(bool write, CancellationToken cancellationToken)
    {
        var connection = await connections.OpenAsync(cancellationToken);
        try
        {
            var transaction = await connections.BeginTransactionAsync(connection, write, cancellationToken);
            return new StoreTransaction(connection, transaction, cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private Task InsertAuditAsync(StoreTransaction tx, AuditRecord audit, string accountId, long revision) =>
        _auditLog.AppendAsync(tx, [audit with { AccountId = accountId, Revision = revision }]);

    /// <summary>User ids and emails are unique across the platform, not only in the account.</summary>
    private async Task CheckUserIsFreeAsync(StoreTransaction tx, UserRecord user)
    {
        var holderAccount = await tx.ScalarAsync<string>(sql.SelectUserAccountId, new { user.UserId });
        if (holderAccount is not null && holderAccount != user.AccountId)
        {
            // The other account is not named: accounts never learn about each other.
            throw new AlreadyExistsException($"user_id {user.UserId} is taken");
        }

        var emailHolder = await tx.ScalarAsync<string>(sql.SelectUserIdByEmail, new { EmailNormalized = NormalizeEmail(user.Email) });
        if (emailHolder is not null && emailHolder != user.UserId)
        {
            throw new AlreadyExistsException($"email '{user.Email}' is taken");
        }
    }

    private async Task WriteUserRowsAsync(StoreTransaction tx, UserRecord user)
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
        if (user.RoleIds.Count > 0)
        {
            await tx.ExecuteAsync(sql.InsertUserRole, user.RoleIds.Select((roleId, position) => new
            {
                user.UserId,
                user.AccountId,
                RoleId = roleId,
                Position = (long)position,
            }).ToList());
        }
    }

    private Task UpsertRoleRowAsync(StoreTransaction tx, RoleRecord role) =>
        tx.ExecuteAsync(sql.UpsertRole, new
        {
            role.AccountId,
            role.RoleId,
            role.Name,
            Description = role.Description ?? "",
            Policies = PolicyJson.Serialize(role.Policies),
        });

    private async Task UpsertNodeRowAsync(StoreTransaction tx, NodeRecord node)
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
    }

    private async Task InsertTagsAsync(StoreTransaction tx, NodeRecord node)
    {
        if (node.Tags.Count > 0)
        {
            await tx.ExecuteAsync(sql.InsertNodeTag, node.Tags.Select((tag, position) => new
            {
                node.AccountId,
                node.NodeId,
                Tag = tag,
                Position = (long)position,
            }).ToList());
        }
    }

    private Task<NodeRow?> FindNodeAsync(StoreTransaction tx, string accountId, string nodeId) =>
        tx.SingleOrDefaultAsync<NodeRow>(sql.SelectNode, new { AccountId = accountId, NodeId = nodeId });

    /// <summary>The parent the node is stored under, after the reserved-node and defaulting rules.</summary>
    private async Task<string> ResolveParentAsync(StoreTransaction tx, NodeRecord node)
    {
        var requested = node.ParentId ?? "";
        if (node.NodeId == Ids.Root)
        {
            return requested.Length == 0
                ? ""
                : throw new PreconditionFailedException("root is the top of the tree and cannot have a parent");
        }

        if (requested == node.NodeId)
        {
            throw new PreconditionFailedException($"node {node.NodeId} cannot be its own parent");
        }

        if (node.Kind == NodeKind.Group)
        {
            var parentId = requested.Length == 0 ? Ids.Root : requested;
            if (node.NodeId == Ids.UnassignedGroup && parentId != Ids.Root)
            {
                throw new PreconditionFailedException("unassigned_group must stay directly under root");
            }

            var parent = await FindNodeAsync(tx, node.AccountId, parentId)
                ?? throw new NotFoundException($"parent_id {parentId} not found in account {node.AccountId}");
            RequireGroupParent(parent);
            return parentId;
        }

        // A device reported under a parent we do not know yet lands where new devices land.
        if (requested.Length == 0)
        {
            return Ids.UnassignedGroup;
        }

        var deviceParent = await FindNodeAsync(tx, node.AccountId, requested);
        if (deviceParent is null)
        {
            return Ids.UnassignedGroup;
        }

        RequireGroupParent(deviceParent);
        return requested;
    }

    private static void RequireGroupParent(NodeRow parent)
    {
        if (parent.Kind != (long)NodeKind.Group)
        {
            throw new PreconditionFailedException($"parent_id {parent.NodeId} is a device; only a group can hold nodes");
        }
    }

    private async Task<Dictionary<string, IReadOnlyList<string>>> ReadTagsAsync(StoreTransaction tx, object key)
    {
        var tagsByNode = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        await using var reader = await tx.ReaderAsync(sql.SelectNodeTags, key);
        List<string>? tags = null;
        var currentNode = "";
        while (await reader.ReadAsync())
        {
            var nodeId = reader.GetString(0);

            // Rows come ordered by node: a new list starts when the node changes.
            if (tags is null || nodeId != currentNode)
            {
                currentNode = nodeId;
                if (!tagsByNode.TryGetValue(nodeId, out var existing))
                {
                    existing = new List<string>(2);
                    tagsByNode.Add(nodeId, existing);
                }

                tags = (List<string>)existing;
            }

            tags.Add(reader.GetString(1));
        }

        return tagsByNode;
    }

    private async Task<List<NodeRecord>> ReadNodesAsync(
        StoreTransaction tx, string accountId, Dictionary<string, IReadOnlyList<string>> tagsByNode, object key)
    {
        var nodes = new List<NodeRecord>();
        await using var reader = await tx.ReaderAsync(sql.SelectNodes, key);
        while (await reader.ReadAsync())
        {
            var nodeId = reader.GetString(0);
            nodes.Add(new NodeRecord(
                accountId,
                nodeId,
                (NodeKind)reader.GetInt64(1),
                reader.GetString(2),
                reader.GetString(3),
                tagsByNode.TryGetValue(nodeId, out var tags) ? tags : [],
                reader.GetBoolean(4)));
        }

        return nodes;
    }

    private static Dictionary<string, IReadOnlyList<string>> GroupOrdered<T>(
        IEnumerable<T> rows, Func<T, string> key, Func<T, string> value)
    {
        var groups = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var k = key(row);
            if (!groups.TryGetValue(k, out var list))
            {
                list = new List<string>(2);
                groups.Add(k, list);
            }

            ((List<string>)list).Add(value(row));
        }

        return groups;
    }

    private static void ValidateRole(RoleRecord role)
    {
        Ids.RequireId(role.AccountId, "role.account_id");
        Ids.RequireId(role.RoleId, "role.role_id");
        if (string.IsNullOrWhiteSpace(role.Name))
        {
            throw new InvalidFieldException("role.name", "is required");
        }
    }

    private static void ValidateUser(UserRecord user, string field)
    {
        Ids.RequireId(user.AccountId, $"{field}.account_id");
        Ids.RequireId(user.UserId, $"{field}.user_id");
        if (string.IsNullOrWhiteSpace(user.Email))
        {
            throw new InvalidFieldException($"{field}.email", "is required");
        }

        if (!Enum.IsDefined(user.Status))
        {
            throw new InvalidFieldException($"{field}.status", "must be active or disabled");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var roleId in user.RoleIds)
        {
            Ids.RequireId(roleId, $"{field}.role_ids");
            if (!seen.Add(roleId))
            {
                throw new InvalidFieldException($"{field}.role_ids", $"role {roleId} is listed twice");
            }
        }
    }

    private static void ValidateNode(NodeRecord node, string field)
    {
        Ids.RequireId(node.AccountId, $"{field}.account_id");
        switch (node.Kind)
        {
            case NodeKind.Group:
                Ids.RequireId(node.NodeId, $"{field}.node_id");
                break;
            case NodeKind.Device:
                Ids.RequireDeviceId(node.NodeId, $"{field}.node_id");
                break;
            default:
                throw new InvalidFieldException($"{field}.type", "must be a group or a device");
        }

        if (!string.IsNullOrEmpty(node.ParentId) && !Ids.IsValidNodeId(node.ParentId))
        {
            throw new InvalidFieldException($"{field}.parent_id", $"must be 1..{Ids.MaxLength} characters of [A-Za-z0-9._-]");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tag in node.Tags)
        {
            Ids.RequireId(tag, $"{field}.tags");
            if (!seen.Add(tag))
            {
                throw new InvalidFieldException($"{field}.tags", $"tag {tag} is listed twice");
            }
        }
    }

    private static string KindName(NodeKind kind) => kind == NodeKind.Device ? "device" : "group";

    // Emails compare case-insensitively across the platform; the address itself is kept as given.
    private static string NormalizeEmail(string email) => email.ToLowerInvariant();

    private long NowMilliseconds() => timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
}
