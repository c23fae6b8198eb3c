using System.Data.Common;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Changes;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Storage;

/// <summary>
/// ImportAccount: a whole account written in one transaction and one revision. A new account starts at revision 1, as
/// CreateAccount's does; a replaced one (<see cref="AccountImport.Replace"/>) keeps its row and goes to its revision + 1,
/// so revisions never go back for replicas or a caller's min_revision. Its change set says what a write would have:
/// the new rows put (parents before children), and every old row the new content lacks deleted (settings cleared
/// before their nodes go, nodes children first), so replicas patch or recompile from it like any other write.
/// </summary>
internal sealed class SqlAccountImporter(
    IStoreConnectionFactory connections, SqlDialect sql, SqlAuditLog auditLog, SqlChangeLog changeLog, TimeProvider timeProvider)
{
    public async Task<long> ImportAsync(AccountImport import, AuditRecord audit, CancellationToken cancellationToken)
    {
        try
        {
            return await ImportInTransactionAsync(import, audit, cancellationToken);
        }
        catch (DbException e) when (sql.IsDeviceIdTaken(e))
        {
            // Another account committed one of the devices after the check: named as the check names it, read after
            // the rollback (PostgreSQL refuses every statement of a transaction after an error).
            await using var check = await StoreTransaction.BeginAsync(connections, write: false, cancellationToken);
            await CheckNothingHeldElsewhereAsync(check, import);
            throw new AlreadyExistsException("a device_id of the import is taken");
        }
    }

    private async Task<long> ImportInTransactionAsync(AccountImport import, AuditRecord audit, CancellationToken cancellationToken)
    {
        var accountId = import.Account.AccountId;
        var key = new { AccountId = accountId };
        await using var tx = await StoreTransaction.BeginAsync(connections, write: true, cancellationToken);
        await tx.LockKeyAsync(sql, SqlAccountWriter.AccountKey(accountId)); // for an account that is new: no row to lock
        var current = await tx.SingleOrDefaultAsync<AccountVersionRow>(sql.SelectAccountRevisionForUpdate, key);
        if (current is not null && !import.Replace)
        {
            throw new AlreadyExistsException($"account {accountId} already exists: say \"replace\": true on the account record to swap its content");
        }

        await CheckNothingHeldElsewhereAsync(tx, import);

        var version = new AccountVersion((current?.Revision ?? 0) + 1, SqlAccountWriter.NewStamp());
        var committedAt = DateTimeOffset.FromUnixTimeMilliseconds(timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        var changes = new List<Change>(import.Roles.Count + import.Users.Count + import.Nodes.Count + import.Settings.Count + 1)
        {
            new AccountPut(accountId, import.Account.Name),
        };
        var settings = import.SettingsAt(version.Revision);
        List<Change> deletes = [];
        if (current is null)
        {
            await tx.ExecuteAsync(sql.InsertAccount, new
            {
                AccountId = accountId,
                import.Account.Name,
                version.Revision,
                version.Stamp,
                CreatedAt = committedAt.ToUnixTimeMilliseconds(),
            });
        }
        else
        {
            deletes = await OldRowsMissingFromAsync(tx, import, settings);
            foreach (var statement in sql.DeleteAccountContent)
            {
                await tx.ExecuteAsync(statement, key);
            }

            await tx.ExecuteAsync(sql.UpdateAccountNameAndRevision, new { AccountId = accountId, import.Account.Name, version.Revision, version.Stamp });
        }

        await WriteRowsAsync(tx, import, settings);
        // Again, now that the rows are written: PostgreSQL's check above locks nothing, so a user another account put
        // in between is seen here (its upsert leaves another account's row alone) and the import is refused whole.
        await CheckNothingHeldElsewhereAsync(tx, import);
        changes.AddRange(import.Roles.Select(r => new RolePut(r)));
        changes.AddRange(import.Users.Select(u => new UserPut(u)));
        changes.AddRange(import.Nodes.Select(n => new NodePut(n)));
        changes.AddRange(settings.Select(s => new RemoteAccessChanged(s.TargetKind, s.Target, s.Enabled, s.ChangedRevision)));
        changes.AddRange(deletes);

        await changeLog.AppendAsync(tx, new ChangeSet(accountId, version, current?.Stamp ?? 0, committedAt, changes));
        await auditLog.AppendAsync(tx, [audit with { AccountId = accountId, Revision = version.Revision }]);
        await tx.CommitAsync();
        return version.Revision;
    }

    /// <summary>User ids, emails and device ids are unique across the platform: another account's are refused, naming the record.</summary>
    private async Task CheckNothingHeldElsewhereAsync(StoreTransaction tx, AccountImport import)
    {
        var accountId = import.Account.AccountId;
        if (import.Users.Count > 0)
        {
            var users = (await tx.QueryAsync<string>(sql.SelectUsersHeldElsewhere, new
            {
                AccountId = accountId,
                UserIds = SqlIdList.Json(import.Users.Select(u => u.UserId)),
            })).ToHashSet(StringComparer.Ordinal);
            var emails = (await tx.QueryAsync<string>(sql.SelectEmailsHeldElsewhere, new
            {
                AccountId = accountId,
                Emails = SqlIdList.Json(import.Users.Select(u => SqlAccountWriter.NormalizeEmail(u.Email))),
            })).ToHashSet(StringComparer.Ordinal);
            for (var i = 0; i < import.Users.Count; i++)
            {
                var user = import.Users[i];

                // The other account is not named: accounts never learn about each other.
                if (users.Contains(user.UserId))
                {
                    throw new AlreadyExistsException($"{import.UserRecords[i]}.user_id: user_id {user.UserId} is taken");
                }

                if (emails.Contains(SqlAccountWriter.NormalizeEmail(user.Email)))
                {
                    throw new AlreadyExistsException($"{import.UserRecords[i]}.email: email '{user.Email}' of user {user.UserId} is taken");
                }
            }
        }

        var devices = import.Nodes.Where(n => n.Kind == NodeKind.Device).Select(n => n.NodeId).ToList();
        if (devices.Count > 0)
        {
            var taken = (await tx.QueryAsync<string>(sql.SelectDevicesHeldElsewhere, new { AccountId = accountId, NodeIds = SqlIdList.Json(devices) }))
                .ToHashSet(StringComparer.Ordinal);
            for (var i = 0; i < import.Nodes.Count; i++)
            {
                if (import.Nodes[i].Kind == NodeKind.Device && taken.Contains(import.Nodes[i].NodeId))
                {
                    throw new AlreadyExistsException($"{import.NodeRecords[i]}.node_id: device_id {import.Nodes[i].NodeId} is taken");
                }
            }
        }
    }

    /// <summary>
    /// The deletes of the change set: the old rows the new content lacks, after its puts. Users go before roles,
    /// settings before their nodes, nodes children first, so each step is one a write could have made. A node never
    /// changes kind: group ids never look like device ids.
    /// </summary>
    private async Task<List<Change>> OldRowsMissingFromAsync(StoreTransaction tx, AccountImport import, IReadOnlyList<RemoteAccessSettingRecord> settings)
    {
        var key = new { import.Account.AccountId };
        var deletes = new List<Change>();
        var users = import.Users.Select(u => u.UserId).ToHashSet(StringComparer.Ordinal);
        deletes.AddRange((await tx.QueryAsync<UserRow>(sql.SelectUsers, key)).Where(u => !users.Contains(u.UserId)).Select(u => new UserDeleted(u.UserId)));

        var roles = import.Roles.Select(r => r.RoleId).ToHashSet(StringComparer.Ordinal);
        deletes.AddRange((await tx.QueryAsync<RoleRow>(sql.SelectRoles, key)).Where(r => !roles.Contains(r.RoleId)).Select(r => new RoleDeleted(r.RoleId)));

        var targets = settings.Select(s => (s.TargetKind, s.Target)).ToHashSet();
        deletes.AddRange((await tx.QueryAsync<RemoteAccessSettingRow>(sql.SelectRemoteAccessSettings, key))
            .Where(s => !targets.Contains(((RemoteAccessTarget)s.TargetKind, s.Target)))
            .Select(s => new RemoteAccessChanged((RemoteAccessTarget)s.TargetKind, s.Target, null, 0)));

        var nodes = import.Nodes.Select(n => n.NodeId).ToHashSet(StringComparer.Ordinal);
        var oldNodes = (await tx.QueryAsync<NodeRow>(sql.SelectNodes, key))
            .Select(n => new NodeRecord(import.Account.AccountId, n.NodeId, (NodeKind)n.Kind, n.ParentId, n.Title, [], n.AgentRemoteAccessDisabled))
            .ToList();
        var order = NodeOrder.ParentsFirst(oldNodes);
        for (var i = order.Count - 1; i >= 0; i--)
        {
            if (!nodes.Contains(oldNodes[order[i]].NodeId))
            {
                deletes.Add(new NodeDeleted(oldNodes[order[i]].NodeId));
            }
        }

        return deletes;
    }

    /// <summary>Every row, in as few statements as the dialect takes (<see cref="SqlRows"/>): an account is 100k rows and more.</summary>
    private async Task WriteRowsAsync(StoreTransaction tx, AccountImport import, IReadOnlyList<RemoteAccessSettingRecord> settings)
    {
        var accountId = import.Account.AccountId;
        await SqlRows.WriteAsync(tx, sql, sql.UpsertRole, import.Roles,
            ("AccountId", _ => accountId), ("RoleId", r => r.RoleId), ("Name", r => r.Name), ("Description", r => r.Description),
            ("Policies", r => PolicyJson.Serialize(r.Policies)));
        await SqlRows.WriteAsync(tx, sql, sql.UpsertUser, import.Users,
            ("UserId", u => u.UserId), ("AccountId", _ => accountId), ("Email", u => u.Email),
            ("EmailNormalized", u => SqlAccountWriter.NormalizeEmail(u.Email)), ("FirstName", u => u.FirstName), ("LastName", u => u.LastName),
            ("Status", u => (long)u.Status));
        await SqlRows.WriteAsync(tx, sql, sql.InsertUserRole,
            import.Users.SelectMany(u => u.RoleIds.Select((roleId, position) => (u.UserId, RoleId: roleId, Position: (long)position))).ToList(),
            ("UserId", r => r.UserId), ("AccountId", _ => accountId), ("RoleId", r => r.RoleId), ("Position", r => r.Position));
        await SqlRows.WriteAsync(tx, sql, sql.UpsertNode, import.Nodes,
            ("AccountId", _ => accountId), ("NodeId", n => n.NodeId), ("Kind", n => (long)n.Kind), ("ParentId", n => n.ParentId),
            ("Title", n => n.Title), ("AgentRemoteAccessDisabled", n => n.AgentRemoteAccessDisabled));
        await SqlRows.WriteAsync(tx, sql, sql.InsertNodeTag,
            import.Nodes.SelectMany(n => n.Tags.Select((tag, position) => (n.NodeId, Tag: tag, Position: (long)position))).ToList(),
            ("AccountId", _ => accountId), ("NodeId", t => t.NodeId), ("Tag", t => t.Tag), ("Position", t => t.Position));
        await SqlRows.WriteAsync(tx, sql, sql.UpsertRemoteAccessSetting, settings,
            ("AccountId", _ => accountId), ("TargetKind", s => (long)s.TargetKind), ("Target", s => s.Target), ("Enabled", s => s.Enabled),
            ("ChangedRevision", s => s.ChangedRevision));
    }
}
