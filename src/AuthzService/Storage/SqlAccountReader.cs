using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Storage;

/// <summary>
/// The reads: an account's whole data for its snapshot (<see cref="LoadAccountAsync"/>) and the admin listings.
/// Each runs in one read transaction, so what it returns is consistent with the revision it returns.
/// </summary>
internal sealed class SqlAccountReader(IStoreConnectionFactory connections, SqlDialect sql)
{
    public async Task<IReadOnlyList<AccountRecord>> ListAccountsAsync(CancellationToken cancellationToken)
    {
        await using var tx = await BeginAsync(cancellationToken);
        return (await tx.QueryAsync<AccountRecord>(sql.SelectAccounts)).ToList();
    }

    public async Task<AccountRecord?> GetAccountAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var tx = await BeginAsync(cancellationToken);
        return await tx.SingleOrDefaultAsync<AccountRecord>(sql.SelectAccount, new { AccountId = accountId });
    }

    public async Task<AccountData?> LoadAccountAsync(string accountId, CancellationToken cancellationToken)
    {
        var key = new { AccountId = accountId };
        await using var tx = await BeginAsync(cancellationToken);
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
        await using var tx = await BeginAsync(cancellationToken);
        var account = await tx.SingleOrDefaultAsync<AccountRecord>(sql.SelectAccount, new { AccountId = accountId });
        return account is null ? null : (await ReadRolesAsync(tx, accountId), account.Revision);
    }

    public async Task<(IReadOnlyList<UserRecord> Users, long Revision)?> ListUsersAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var tx = await BeginAsync(cancellationToken);
        var account = await tx.SingleOrDefaultAsync<AccountRecord>(sql.SelectAccount, new { AccountId = accountId });
        return account is null ? null : (await ReadUsersAsync(tx, accountId), account.Revision);
    }

    public async Task<(NodeRecord? Node, long Revision)?> GetNodeAsync(string accountId, string nodeId, CancellationToken cancellationToken)
    {
        var key = new { AccountId = accountId, NodeId = nodeId };
        await using var tx = await BeginAsync(cancellationToken);
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
        await using var tx = await BeginAsync(cancellationToken);
        return await tx.SingleOrDefaultAsync<string>(sql.SelectUserAccountId, new { UserId = userId });
    }

    public async Task<string?> FindDeviceAccountIdAsync(string deviceId, CancellationToken cancellationToken)
    {
        await using var tx = await BeginAsync(cancellationToken);
        return await tx.SingleOrDefaultAsync<string>(sql.SelectDeviceAccountId, new { DeviceId = deviceId });
    }

    public async Task ForEachUserAccountAsync(Action<string, string> each, CancellationToken cancellationToken)
    {
        await using var tx = await BeginAsync(cancellationToken);
        await using var reader = await tx.ReaderAsync(sql.SelectAllUserAccounts);
        while (await reader.ReadAsync(cancellationToken))
        {
            each(reader.GetString(0), reader.GetString(1));
        }
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

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var tx = await BeginAsync(cancellationToken);
        await tx.ScalarAsync<long>(sql.Ping);
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

    private Task<StoreTransaction> BeginAsync(CancellationToken cancellationToken) =>
        StoreTransaction.BeginAsync(connections, write: false, cancellationToken);
}
