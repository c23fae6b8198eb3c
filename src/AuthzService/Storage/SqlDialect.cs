namespace Qbee.Authz.Service.Storage;

/// <summary>
/// Every SQL text the store runs, and the schema migrations. A provider supplies a dialect and a connection
/// factory; the store logic (<see cref="SqlMigrator"/>, <see cref="SqlAccountWriter"/>, <see cref="SqlAccountReader"/>,
/// <see cref="SqlAuditLog"/>) is shared. Statements written in portable SQL are
/// virtual here; what differs between engines (DDL, upserts, row locks, paging) is abstract.
/// </summary>
/// <remarks>Parameters are named after the properties the store passes (<c>@AccountId</c>, ...).</remarks>
internal abstract class SqlDialect
{
    /// <summary>In ascending, unique versions.</summary>
    public abstract IReadOnlyList<SqlMigration> Migrations { get; }

    /// <summary>Idempotent: creates <c>schema_migrations(version, applied_at)</c> when missing.</summary>
    public abstract string CreateMigrationsTable { get; }

    public virtual string SelectMigrationVersions => "SELECT version FROM schema_migrations ORDER BY version";

    public virtual string CountMigration => "SELECT COUNT(*) FROM schema_migrations WHERE version = @Version";

    public virtual string InsertMigration => "INSERT INTO schema_migrations (version, applied_at) VALUES (@Version, @AppliedAt)";

    public virtual string Ping => "SELECT 1";

    /// <summary>
    /// Null, or a statement taking <c>@Key</c> that makes every other write transaction locking the same key wait for
    /// this one's end. Run (<see cref="StoreTransaction.LockKeyAsync"/>) before a read that decides a write and has no
    /// row to lock: a new account id, a user id or email (unique across accounts), the schema's version. SQLite needs
    /// none (a writer locks the whole database) nor does SQL Server (those reads take key-range locks); PostgreSQL
    /// locks only rows that exist.
    /// </summary>
    public virtual string? LockKey => null;

    /// <summary>
    /// Null where <see cref="LockKey"/> is, else the same lock for every key of <c>@Keys</c> (an array), taken in the
    /// array's order in one round trip (<see cref="StoreTransaction.LockKeysAsync"/> sorts them).
    /// </summary>
    public virtual string? LockKeys => null;

    /// <summary>
    /// Whether an insert written for one row (<c>VALUES (@A, @B)</c>) takes every row at once with each column as one
    /// array parameter (<c>SELECT * FROM unnest(@A, @B)</c>, see <see cref="SqlRows"/>): one round trip for a batch.
    /// Otherwise the statement runs once per row, prepared once.
    /// </summary>
    public virtual bool RowsAsArrays => false;

    // Accounts

    /// <summary>
    /// The account's revision and its stamp (<c>Revision</c>, <c>Stamp</c>), read so that no other write of the
    /// account can interleave: the stamp is the next change set's previous stamp.
    /// </summary>
    public abstract string SelectAccountRevisionForUpdate { get; }

    public virtual string SelectAccount =>
        "SELECT account_id AS AccountId, name AS Name, revision AS Revision, revision_stamp AS Stamp FROM accounts WHERE account_id = @AccountId";

    public virtual string SelectAccounts =>
        "SELECT account_id AS AccountId, name AS Name, revision AS Revision, revision_stamp AS Stamp FROM accounts ORDER BY account_id";

    public virtual string CountAccount => "SELECT COUNT(*) FROM accounts WHERE account_id = @AccountId";

    public virtual string InsertAccount =>
        "INSERT INTO accounts (account_id, name, revision, revision_stamp, created_at) VALUES (@AccountId, @Name, @Revision, @Stamp, @CreatedAt)";

    public virtual string UpdateAccountRevision =>
        "UPDATE accounts SET revision = @Revision, revision_stamp = @Stamp WHERE account_id = @AccountId";

    /// <summary>An import that replaces the account: its name with its revision.</summary>
    public virtual string UpdateAccountNameAndRevision =>
        "UPDATE accounts SET name = @Name, revision = @Revision, revision_stamp = @Stamp WHERE account_id = @AccountId";

    /// <summary>
    /// Everything in the account but the account's row, children before the rows they reference: what an import
    /// that replaces the account clears before it writes the new content.
    /// </summary>
    public virtual IReadOnlyList<string> DeleteAccountContent =>
    [
        "DELETE FROM user_roles WHERE account_id = @AccountId",
        "DELETE FROM users WHERE account_id = @AccountId",
        "DELETE FROM roles WHERE account_id = @AccountId",
        "DELETE FROM node_tags WHERE account_id = @AccountId",
        "DELETE FROM remote_access_settings WHERE account_id = @AccountId",
        "DELETE FROM nodes WHERE account_id = @AccountId",
    ];

    // Roles

    public virtual string SelectRoleIdByName =>
        "SELECT role_id FROM roles WHERE account_id = @AccountId AND name = @Name";

    public virtual string CountRole => "SELECT COUNT(*) FROM roles WHERE account_id = @AccountId AND role_id = @RoleId";

    /// <summary>Dapper expands <c>@RoleIds</c> into a list.</summary>
    public virtual string SelectExistingRoleIds =>
        "SELECT role_id FROM roles WHERE account_id = @AccountId AND role_id IN @RoleIds";

    public abstract string UpsertRole { get; }

    public virtual string DeleteRole => "DELETE FROM roles WHERE account_id = @AccountId AND role_id = @RoleId";

    public virtual string SelectRoleUserIds =>
        "SELECT user_id FROM user_roles WHERE account_id = @AccountId AND role_id = @RoleId";

    public virtual string SelectRoles =>
        "SELECT role_id AS RoleId, name AS Name, description AS Description, policies AS Policies "
        + "FROM roles WHERE account_id = @AccountId ORDER BY role_id";

    // Users

    public virtual string SelectUserAccountId => "SELECT account_id FROM users WHERE user_id = @UserId";

    public virtual string SelectAllUserAccounts => "SELECT user_id, account_id FROM users";

    /// <summary>The account holding the device <c>@DeviceId</c> (device ids are platform-wide: migration 3's unique index).</summary>
    public virtual string SelectDeviceAccountId => "SELECT account_id FROM nodes WHERE node_id = @DeviceId AND kind = 2";

    public virtual string SelectUserIdByEmail => "SELECT user_id FROM users WHERE email_normalized = @EmailNormalized";

    public abstract string UpsertUser { get; }

    /// <summary>
    /// The users of <c>@UserIds</c> (a JSON array, see <see cref="SqlIdList"/>) that another account than
    /// <c>@AccountId</c> holds: user ids are unique across the platform.
    /// </summary>
    public abstract string SelectUsersHeldElsewhere { get; }

    /// <summary>The normalised emails of <c>@Emails</c> (a JSON array) that a user of another account than <c>@AccountId</c> has.</summary>
    public abstract string SelectEmailsHeldElsewhere { get; }

    public virtual string DeleteUser => "DELETE FROM users WHERE account_id = @AccountId AND user_id = @UserId";

    public virtual string DeleteUserRoles => "DELETE FROM user_roles WHERE user_id = @UserId";

    public virtual string InsertUserRole =>
        "INSERT INTO user_roles (user_id, account_id, role_id, position) VALUES (@UserId, @AccountId, @RoleId, @Position)";

    public virtual string SelectUsers =>
        "SELECT user_id AS UserId, email AS Email, first_name AS FirstName, last_name AS LastName, status AS Status "
        + "FROM users WHERE account_id = @AccountId ORDER BY user_id";

    public virtual string SelectUserRoles =>
        "SELECT user_id AS UserId, role_id AS RoleId FROM user_roles WHERE account_id = @AccountId ORDER BY user_id, position";

    // Nodes

    public virtual string SelectNode =>
        "SELECT node_id AS NodeId, kind AS Kind, parent_id AS ParentId FROM nodes WHERE account_id = @AccountId AND node_id = @NodeId";

    /// <summary>
    /// The nodes of <c>@NodeIds</c> (one parameter: a JSON array of ids, see <see cref="SqlIdList"/>) that exist, as
    /// <see cref="SelectNode"/>. One parameter rather than a Dapper list: a thousand bound parameters cost SQLite
    /// more than the lookups, and SQL Server takes at most 2,100.
    /// </summary>
    public abstract string SelectNodesByIds { get; }

    /// <summary>The groups of the account as <c>(GroupId, ParentId)</c>, for the depth and cycle rules.</summary>
    public virtual string SelectGroupParents =>
        "SELECT node_id AS GroupId, parent_id AS ParentId FROM nodes WHERE account_id = @AccountId AND kind = 1";

    /// <summary>
    /// The devices of <c>@NodeIds</c> (a JSON array, as <see cref="SelectNodesByIds"/>) that another account than
    /// <c>@AccountId</c> holds: device ids are unique across the platform.
    /// </summary>
    public abstract string SelectDevicesHeldElsewhere { get; }

    /// <summary>
    /// Whether the error is the unique index on device ids (migration 3) refusing a second account: the
    /// backstop when two writers claim one device at once.
    /// </summary>
    public abstract bool IsDeviceIdTaken(System.Data.Common.DbException error);

    /// <summary>The guard of migration 3: each device id held by more than one account, and those accounts.</summary>
    protected const string DuplicateDeviceIds =
        "SELECT node_id AS Subject, account_id AS Holder FROM nodes WHERE kind = 2 AND node_id IN "
        + "(SELECT node_id FROM nodes WHERE kind = 2 GROUP BY node_id HAVING COUNT(*) > 1) ORDER BY node_id, account_id";

    protected const string DuplicateDevicesProblem = "device ids must be unique across accounts, and these are held by several";

    /// <summary>The name of the unique index on device ids, as the engines quote it in their errors.</summary>
    protected const string DeviceIdIndex = "ux_nodes_device_id";

    public virtual string CountChildren => "SELECT COUNT(*) FROM nodes WHERE account_id = @AccountId AND parent_id = @NodeId";

    public abstract string UpsertNode { get; }

    public virtual string DeleteNode => "DELETE FROM nodes WHERE account_id = @AccountId AND node_id = @NodeId";

    public virtual string DeleteNodeTags => "DELETE FROM node_tags WHERE account_id = @AccountId AND node_id = @NodeId";

    public virtual string InsertNodeTag =>
        "INSERT INTO node_tags (account_id, node_id, tag, position) VALUES (@AccountId, @NodeId, @Tag, @Position)";

    /// <summary>Read by ordinal: keep the column order.</summary>
    public virtual string SelectNodes =>
        "SELECT node_id AS NodeId, kind AS Kind, parent_id AS ParentId, title AS Title, "
        + "agent_remote_access_disabled AS AgentRemoteAccessDisabled FROM nodes WHERE account_id = @AccountId ORDER BY node_id";

    /// <summary>Read by ordinal: the columns of <see cref="SelectNodes"/>.</summary>
    public virtual string SelectFullNode =>
        "SELECT node_id, kind, parent_id, title, agent_remote_access_disabled FROM nodes WHERE account_id = @AccountId AND node_id = @NodeId";

    public virtual string SelectTagsOfNode =>
        "SELECT tag FROM node_tags WHERE account_id = @AccountId AND node_id = @NodeId ORDER BY position";

    /// <summary>Read by ordinal, and grouped relying on the order by node.</summary>
    public virtual string SelectNodeTags =>
        "SELECT node_id, tag FROM node_tags WHERE account_id = @AccountId ORDER BY node_id, position";

    // Remote-access settings

    public abstract string UpsertRemoteAccessSetting { get; }

    public virtual string DeleteRemoteAccessSetting =>
        "DELETE FROM remote_access_settings WHERE account_id = @AccountId AND target_kind = @TargetKind AND target = @Target";

    public virtual string SelectRemoteAccessSettings =>
        "SELECT target_kind AS TargetKind, target AS Target, enabled AS Enabled, changed_revision AS ChangedRevision "
        + "FROM remote_access_settings WHERE account_id = @AccountId ORDER BY target_kind, target";

    // Change log: one row per committed write, its change set encoded by ChangeSetCodec.

    public virtual string InsertChangeSet =>
        "INSERT INTO change_log (account_id, revision, stamp, previous_stamp, committed_at, changes) "
        + "VALUES (@AccountId, @Revision, @Stamp, @PreviousStamp, @CommittedAt, @Changes)";

    /// <summary>At most <c>@Max</c> rows of <c>@AccountId</c> after <c>@AfterRevision</c>, as <see cref="ChangeLogRow"/>, in revision order.</summary>
    public abstract string SelectChangeSets { get; }

    /// <summary>
    /// At most <c>@Batch</c> rows (<c>AccountId</c>, <c>Revision</c>), oldest first, committed before <c>@Cutoff</c>
    /// (unix ms) and older than the newest <c>@KeepRevisions</c> of their account.
    /// </summary>
    public abstract string SelectExpiredChangeSets { get; }

    public virtual string DeleteChangeSet => "DELETE FROM change_log WHERE account_id = @AccountId AND revision = @Revision";

    /// <summary>The portable part of <see cref="SelectExpiredChangeSets"/>: the engines differ only in how they cap rows.</summary>
    protected const string ExpiredChangeSets =
        "c.account_id AS AccountId, c.revision AS Revision FROM change_log c JOIN accounts a ON a.account_id = c.account_id "
        + "WHERE c.committed_at < @Cutoff AND c.revision <= a.revision - @KeepRevisions ORDER BY c.committed_at, c.account_id, c.revision";

    // Audit: events are stored in segments (see AuditSegment), their ids taken from the one row of audit_sequence.

    /// <summary>
    /// Takes <c>@Count</c> event ids and returns the last. The row stays locked to the commit, so ids are handed out
    /// in commit order and a page token never skips an event committed later with a smaller id.
    /// </summary>
    public abstract string TakeAuditEventIds { get; }

    public virtual string InsertAuditSegment =>
        "INSERT INTO audit_segments (first_event_id, account_id, last_event_id, event_count, min_time, max_time, events) "
        + "VALUES (@FirstEventId, @AccountId, @LastEventId, @EventCount, @MinTime, @MaxTime, @Events)";

    public virtual string InsertAuditSubject =>
        "INSERT INTO audit_segment_subjects (subject_hash, first_event_id) VALUES (@SubjectHash, @FirstEventId)";

    /// <summary>
    /// Newest first, at most <c>@Limit</c> segments of <c>@AccountId</c> with <c>first_event_id &lt; @BeforeEventId</c>
    /// and <c>max_time &gt;= @Since</c>; with <paramref name="bySubject"/>, only those listed under <c>@SubjectHash</c>.
    /// Columns as <see cref="AuditSegmentRow"/>.
    /// </summary>
    public abstract string ListAuditSegments(bool bySubject);

    /// <summary>
    /// Oldest first, at most <c>@Limit</c> segments holding an event after <c>@AfterEventId</c> (of <c>@AccountId</c>
    /// only with <paramref name="byAccount"/>). The segment that holds <c>@AfterEventId</c> itself starts at the
    /// largest first id at or below it (segments written since schema 2 hold consecutive ids), so every later one
    /// starts past it: both index seeks, however long the log. Columns as <see cref="AuditSegmentRow"/>, account included.
    /// </summary>
    public abstract string ReadAuditSegmentsAfter(bool byAccount);

    /// <summary>The lowest event id still stored (null: none) and the last id handed out, in one row.</summary>
    public virtual string SelectAuditBounds =>
        "SELECT (SELECT MIN(first_event_id) FROM audit_segments) AS OldestStored, "
        + "(SELECT last_event_id FROM audit_sequence WHERE id = 1) AS LastIssued";

    /// <summary>
    /// How many of the ids after <c>@AfterEventId</c> up to <c>@UpTo</c> are stored, of every account: fewer than
    /// the ids in that range means retention deleted some (ids are handed out without gaps; a rollback hands them out
    /// again). The segment holding <c>@AfterEventId</c> counts only its ids after it.
    /// </summary>
    public virtual string CountAuditEventsBetween =>
        "SELECT COALESCE(SUM(CASE WHEN s.first_event_id > @AfterEventId THEN s.event_count ELSE s.last_event_id - @AfterEventId END), 0) "
        + "FROM audit_segments s WHERE s.first_event_id >= " + SegmentHolding + " "
        + "AND s.last_event_id > @AfterEventId AND s.first_event_id <= @UpTo";

    /// <summary>The first id of the segment that holds <c>@AfterEventId</c> (segments hold consecutive ids), else 0.</summary>
    private const string SegmentHolding =
        "COALESCE((SELECT MAX(p.first_event_id) FROM audit_segments p WHERE p.first_event_id <= @AfterEventId), 0)";

    /// <summary>The FROM and WHERE of <see cref="ReadAuditSegmentsAfter"/>, the same on every engine.</summary>
    protected static string SegmentsAfter(bool byAccount) =>
        "FROM audit_segments s WHERE s.first_event_id >= " + SegmentHolding + " "
        + "AND s.last_event_id > @AfterEventId " + (byAccount ? "AND s.account_id = @AccountId " : string.Empty)
        + "ORDER BY s.first_event_id";

    /// <summary>At most <c>@Batch</c> of the oldest segments whose newest event is before <c>@Cutoff</c> (unix ms).</summary>
    public abstract string SelectExpiredAuditSegments { get; }

    /// <summary>The subjects of the segments <see cref="DeleteAuditSegments"/> deletes.</summary>
    public virtual string DeleteAuditSubjects =>
        "DELETE FROM audit_segment_subjects WHERE first_event_id IN "
        + "(SELECT first_event_id FROM audit_segments WHERE max_time < @Cutoff AND first_event_id <= @UpTo)";

    /// <summary>The expired segments up to <c>@UpTo</c>, the last one <see cref="SelectExpiredAuditSegments"/> returned.</summary>
    public virtual string DeleteAuditSegments => "DELETE FROM audit_segments WHERE max_time < @Cutoff AND first_event_id <= @UpTo";

    // Schema version 1 kept one row per event in audit_events: the store moves those rows into segments once.

    /// <summary>1 while the version 1 table exists, else 0.</summary>
    public abstract string CountLegacyAuditTable { get; }

    /// <summary>The <c>@Limit</c> oldest rows of the version 1 table, columns as <see cref="LegacyAuditRow"/>.</summary>
    public abstract string SelectLegacyAuditEvents { get; }

    public virtual string DeleteLegacyAuditEvents => "DELETE FROM audit_events WHERE event_id <= @LastEventId";

    public virtual string DropLegacyAuditTable => "DROP TABLE IF EXISTS audit_events";

    /// <summary>The select list that maps onto <see cref="LegacyAuditRow"/>.</summary>
    protected const string LegacyAuditColumns =
        "event_id AS EventId, time AS Time, account_id AS AccountId, kind AS Kind, user_id AS UserId, device_id AS DeviceId, "
        + "permission AS Permission, ra_action AS RaAction, ra_proto AS RaProto, ra_port AS RaPort, ra_dst AS RaDst, "
        + "ra_direction AS RaDirection, ra_path AS RaPath, allowed AS Allowed, reason AS Reason, role_id AS RoleId, "
        + "resource AS Resource, caller AS Caller, request_id AS RequestId, detail AS Detail, revision AS Revision";

    /// <summary>The select list of <see cref="ListAuditSegments"/>.</summary>
    protected const string SegmentColumns = "s.first_event_id AS FirstEventId, s.events AS Events";

    /// <summary>The FROM and WHERE of <see cref="ListAuditSegments"/>, the same on every engine.</summary>
    protected static string SegmentSource(bool bySubject) =>
        bySubject
            ? "FROM audit_segment_subjects k JOIN audit_segments s ON s.first_event_id = k.first_event_id "
              + "WHERE k.subject_hash = @SubjectHash AND k.first_event_id < @BeforeEventId AND s.account_id = @AccountId "
              + "AND s.max_time >= @Since ORDER BY k.first_event_id DESC"
            : "FROM audit_segments s WHERE s.account_id = @AccountId AND s.first_event_id < @BeforeEventId "
              + "AND s.max_time >= @Since ORDER BY s.first_event_id DESC";
}
