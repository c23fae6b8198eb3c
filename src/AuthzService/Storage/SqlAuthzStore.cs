using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Storage;

/// <summary>
/// The SQL store of every provider, as one <see cref="IAuthzStore"/>: it hands each call to the class that does that
/// job. A provider only brings its <see cref="SqlDialect"/> and its <see cref="IStoreConnectionFactory"/>.
/// </summary>
internal sealed class SqlAuthzStore : IAuthzStore
{
    private readonly SqlMigrator _migrator;
    private readonly SqlAccountWriter _writer;
    private readonly SqlAccountReader _reader;
    private readonly SqlAccountImporter _importer;
    private readonly SqlAuditLog _auditLog;
    private readonly SqlChangeLog _changeLog;

    private readonly IStoreConnectionFactory _connections;
    private readonly SqlDialect _sql;
    private readonly TimeProvider _timeProvider;

    public SqlAuthzStore(IStoreConnectionFactory connections, SqlDialect sql, TimeProvider timeProvider)
        : this(connections, sql, timeProvider, dryRun: null)
    {
    }

    private SqlAuthzStore(IStoreConnectionFactory connections, SqlDialect sql, TimeProvider timeProvider, StoreDryRun? dryRun)
    {
        (_connections, _sql, _timeProvider) = (connections, sql, timeProvider);
        _auditLog = new SqlAuditLog(connections, sql);
        _migrator = new SqlMigrator(connections, sql, _auditLog, timeProvider);
        _changeLog = new SqlChangeLog(connections, sql);
        _writer = new SqlAccountWriter(connections, sql, _auditLog, _changeLog, timeProvider, dryRun);
        _reader = new SqlAccountReader(connections, sql);
        _importer = new SqlAccountImporter(connections, sql, _auditLog, _changeLog, timeProvider);
    }

    public IAuthzStore DryRun(StoreDryRun dryRun) => new SqlAuthzStore(_connections, _sql, _timeProvider, dryRun);

    public Task InitializeAsync(CancellationToken cancellationToken) => _migrator.MigrateAsync(cancellationToken);

    public Task<long> CreateAccountAsync(
        AccountRecord account, RoleRecord defaultRole, UserRecord owner, AuditRecord audit, CancellationToken cancellationToken) =>
        _writer.CreateAccountAsync(account, defaultRole, owner, audit, cancellationToken);

    public Task<long> PutRoleAsync(RoleRecord role, AuditRecord audit, CancellationToken cancellationToken) =>
        _writer.PutRoleAsync(role, audit, cancellationToken);

    public Task<long> DeleteRoleAsync(string accountId, string roleId, AuditRecord audit, CancellationToken cancellationToken) =>
        _writer.DeleteRoleAsync(accountId, roleId, audit, cancellationToken);

    public Task<long> PutUserAsync(UserRecord user, AuditRecord audit, CancellationToken cancellationToken) =>
        _writer.PutUserAsync(user, audit, cancellationToken);

    public Task<(IReadOnlyList<UserRecord> Users, long Revision)> PutUsersAsync(
        string accountId, IReadOnlyList<UserRecord> users, AuditRecord audit, CancellationToken cancellationToken) =>
        _writer.PutUsersAsync(accountId, users, audit, cancellationToken);

    public Task<long> DeleteUserAsync(string accountId, string userId, AuditRecord audit, CancellationToken cancellationToken) =>
        _writer.DeleteUserAsync(accountId, userId, audit, cancellationToken);

    public Task<(NodeRecord Node, long Revision)> PutNodeAsync(NodeRecord node, AuditRecord audit, CancellationToken cancellationToken) =>
        _writer.PutNodeAsync(node, audit, cancellationToken);

    public Task<(IReadOnlyList<NodeRecord> Nodes, long Revision)> PutNodesAsync(
        string accountId, IReadOnlyList<NodeRecord> nodes, AuditRecord audit, CancellationToken cancellationToken) =>
        _writer.PutNodesAsync(accountId, nodes, audit, cancellationToken);

    public Task<long> DeleteNodeAsync(string accountId, string nodeId, AuditRecord audit, CancellationToken cancellationToken) =>
        _writer.DeleteNodeAsync(accountId, nodeId, audit, cancellationToken);

    public Task<long> SetRemoteAccessAsync(
        string accountId, RemoteAccessTarget targetKind, string target, bool? enabled, AuditRecord audit, CancellationToken cancellationToken) =>
        _writer.SetRemoteAccessAsync(accountId, targetKind, target, enabled, audit, cancellationToken);

    public Task<long> ImportAccountAsync(AccountImport import, AuditRecord audit, CancellationToken cancellationToken) =>
        _importer.ImportAsync(import, audit, cancellationToken);

    public Task<IReadOnlyList<AccountRecord>> ListAccountsAsync(CancellationToken cancellationToken) =>
        _reader.ListAccountsAsync(cancellationToken);

    public Task<AccountRecord?> GetAccountAsync(string accountId, CancellationToken cancellationToken) =>
        _reader.GetAccountAsync(accountId, cancellationToken);

    public Task<AccountData?> LoadAccountAsync(string accountId, CancellationToken cancellationToken) =>
        _reader.LoadAccountAsync(accountId, cancellationToken);

    public Task<(IReadOnlyList<RoleRecord> Roles, long Revision)?> ListRolesAsync(string accountId, CancellationToken cancellationToken) =>
        _reader.ListRolesAsync(accountId, cancellationToken);

    public Task<(IReadOnlyList<UserRecord> Users, long Revision)?> ListUsersAsync(string accountId, CancellationToken cancellationToken) =>
        _reader.ListUsersAsync(accountId, cancellationToken);

    public Task<(NodeRecord? Node, long Revision)?> GetNodeAsync(string accountId, string nodeId, CancellationToken cancellationToken) =>
        _reader.GetNodeAsync(accountId, nodeId, cancellationToken);

    public Task<string?> FindUserAccountIdAsync(string userId, CancellationToken cancellationToken) =>
        _reader.FindUserAccountIdAsync(userId, cancellationToken);

    public Task<string?> FindDeviceAccountIdAsync(string deviceId, CancellationToken cancellationToken) =>
        _reader.FindDeviceAccountIdAsync(deviceId, cancellationToken);

    public Task ForEachUserAccountAsync(Action<string, string> each, CancellationToken cancellationToken) =>
        _reader.ForEachUserAccountAsync(each, cancellationToken);

    public Task<ChangeLogPage?> ReadChangeSetsAsync(string accountId, long afterRevision, int max, CancellationToken cancellationToken) =>
        _changeLog.ReadAsync(accountId, afterRevision, max, cancellationToken);

    public Task<int> PurgeChangeLogAsync(DateTimeOffset cutoff, int keepRevisions, int maxRows, CancellationToken cancellationToken) =>
        _changeLog.PurgeAsync(cutoff, keepRevisions, maxRows, cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => _reader.PingAsync(cancellationToken);

    public Task AppendAuditEventsAsync(IReadOnlyList<AuditRecord> events, CancellationToken cancellationToken) =>
        _auditLog.AppendAsync(events, cancellationToken);

    public Task<IReadOnlyList<AuditRecord>> ListAuditEventsAsync(AuditQuery query, CancellationToken cancellationToken) =>
        _auditLog.ListAsync(query, cancellationToken);

    public Task<AuditTail> ReadAuditEventsAfterAsync(string accountId, long afterEventId, int maxSegments, CancellationToken cancellationToken) =>
        _auditLog.ReadAfterAsync(accountId, afterEventId, maxSegments, cancellationToken);

    public Task<AuditPurgeBatch> DeleteAuditEventsBeforeAsync(DateTimeOffset cutoff, int maxSegments, CancellationToken cancellationToken) =>
        _auditLog.DeleteExpiredAsync(cutoff, maxSegments, cancellationToken);
}
