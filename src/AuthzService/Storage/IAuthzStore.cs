using Qbee.Authz.Service.Domain.Changes;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Storage;

/// <summary>
/// The SQL source of truth. Every write is one transaction that checks the state rules, writes,
/// bumps the account's revision, records <paramref name="audit"/> with that revision, and returns it.
/// A write that throws (a <see cref="Domain.DomainException"/>) leaves the data unchanged.
/// Writes take records the admin layer has validated (ids, lengths, duplicates in a list); the store checks only
/// what needs its data: uniqueness across accounts, existence, and the shape of the group tree.
/// Its audit half is <see cref="IAuditStore"/>, which the audit writer and purger take alone.
/// </summary>
internal interface IAuthzStore : IAuditStore
{
    /// <summary>Creates the database when missing and applies pending migrations, each once, in a transaction.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Creates the account with root, unassigned_group, the default role and the owner. Revision 1.</summary>
    Task<long> CreateAccountAsync(AccountRecord account, RoleRecord defaultRole, UserRecord owner, AuditRecord audit, CancellationToken cancellationToken);

    Task<long> PutRoleAsync(RoleRecord role, AuditRecord audit, CancellationToken cancellationToken);

    Task<long> DeleteRoleAsync(string accountId, string roleId, AuditRecord audit, CancellationToken cancellationToken);

    Task<long> PutUserAsync(UserRecord user, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>Several users of one account in one transaction and one revision, in order (all or none).</summary>
    Task<(IReadOnlyList<UserRecord> Users, long Revision)> PutUsersAsync(string accountId, IReadOnlyList<UserRecord> users, AuditRecord audit, CancellationToken cancellationToken);

    Task<long> DeleteUserAsync(string accountId, string userId, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>Returns the node as stored: a device whose parent is missing lands in unassigned_group.</summary>
    Task<(NodeRecord Node, long Revision)> PutNodeAsync(NodeRecord node, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>Several nodes of one account in one transaction and one revision, in order (all or none).</summary>
    Task<(IReadOnlyList<NodeRecord> Nodes, long Revision)> PutNodesAsync(string accountId, IReadOnlyList<NodeRecord> nodes, AuditRecord audit, CancellationToken cancellationToken);

    Task<long> DeleteNodeAsync(string accountId, string nodeId, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary><paramref name="enabled"/> null clears the setting.</summary>
    Task<long> SetRemoteAccessAsync(string accountId, RemoteAccessTarget targetKind, string target, bool? enabled, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a whole account as one revision (ImportAccount): a new one at revision 1, or with
    /// <see cref="AccountImport.Replace"/> an existing one's content swapped at its revision + 1. ALREADY_EXISTS for an
    /// existing account without replace, or a user id, email or device id another account holds.
    /// </summary>
    Task<long> ImportAccountAsync(AccountImport import, AuditRecord audit, CancellationToken cancellationToken);

    Task<IReadOnlyList<AccountRecord>> ListAccountsAsync(CancellationToken cancellationToken);

    Task<AccountRecord?> GetAccountAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>Everything of one account, read in one transaction so it is consistent with its revision.</summary>
    Task<AccountData?> LoadAccountAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>The account's roles and revision; null when the account does not exist.</summary>
    Task<(IReadOnlyList<RoleRecord> Roles, long Revision)?> ListRolesAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>The account's users and revision; null when the account does not exist.</summary>
    Task<(IReadOnlyList<UserRecord> Users, long Revision)?> ListUsersAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>One node (null when missing) and the account's revision; null when the account does not exist.</summary>
    Task<(NodeRecord? Node, long Revision)?> GetNodeAsync(string accountId, string nodeId, CancellationToken cancellationToken);

    /// <summary>The account a user belongs to (users are platform-wide); null when no account has the user.</summary>
    Task<string?> FindUserAccountIdAsync(string userId, CancellationToken cancellationToken);

    /// <summary>The account holding a device (device ids are platform-wide); null when no account has the device.</summary>
    Task<string?> FindDeviceAccountIdAsync(string deviceId, CancellationToken cancellationToken);

    /// <summary>
    /// Every user's account, in one read, handed to <paramref name="each"/> as (user id, account id) while it is read
    /// (nothing kept): what a replica that loads accounts on demand builds its user index from.
    /// </summary>
    Task ForEachUserAccountAsync(Action<string, string> each, CancellationToken cancellationToken);

    /// <summary>
    /// The change sets of the account after <paramref name="afterRevision"/>, in revision order, at most
    /// <paramref name="max"/>; null when the account does not exist. Every write appends its change set in its own
    /// transaction, so the log holds exactly the committed writes.
    /// </summary>
    Task<ChangeLogPage?> ReadChangeSetsAsync(string accountId, long afterRevision, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes change sets committed before <paramref name="cutoff"/>, keeping at least the newest
    /// <paramref name="keepRevisions"/> of every account; at most <paramref name="maxRows"/> in one call. Returns how
    /// many it deleted.
    /// </summary>
    Task<int> PurgeChangeLogAsync(DateTimeOffset cutoff, int keepRevisions, int maxRows, CancellationToken cancellationToken);

    /// <summary>
    /// The audit events after <paramref name="afterEventId"/> in commit order (of one account; empty: of all), at most
    /// <paramref name="maxSegments"/> segments' worth, for WatchAuditEvents; says when retention deleted some of them.
    /// </summary>
    Task<AuditTail> ReadAuditEventsAfterAsync(string accountId, long afterEventId, int maxSegments, CancellationToken cancellationToken);

    /// <summary>
    /// This store with its writes rehearsed: each runs its transaction as the real write (every check, every row),
    /// hands <paramref name="dryRun"/> the change set it would append and rolls back, returning the current revision
    /// (0 for a CreateAccount). Refused as the real write would be. Reads are the store's.
    /// </summary>
    IAuthzStore DryRun(StoreDryRun dryRun);

    /// <summary>Cheap liveness probe of the database.</summary>
    Task PingAsync(CancellationToken cancellationToken);
}
