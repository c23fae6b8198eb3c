using System.Data.Common;
using Microsoft.Data.SqlClient;

namespace Qbee.Authz.Service.Storage.SqlServer;

/// <summary>
/// T-SQL for SQL Server 2016 and later (Azure SQL too). The schema is the SQLite one, column for column:
/// TEXT becomes NVARCHAR, INTEGER BIGINT (the rows read every integer as Int64), flags BIT.
/// </summary>
/// <remarks>
/// Every text column is binary-collated: SQLite compares text byte by byte, while a database's default collation
/// is usually case-insensitive, which would make <c>Admin</c> and <c>admin</c> the same role id or name here only.
/// Write transactions are READ COMMITTED (see <see cref="SqlServerConnectionFactory"/>): the reads that decide a
/// write take update locks held to the commit (<c>UPDLOCK, HOLDLOCK</c>), so a second writer of the same account,
/// account id, user id or email waits for the first, as every SQLite writer waits for the one before it.
/// </remarks>
internal sealed class SqlServerDialect : SqlDialect
{
    public static readonly SqlServerDialect Instance = new();

    private const string Bin = "COLLATE Latin1_General_100_BIN2";

    // Ids are 1..64 of [A-Za-z0-9._-] (device ids 64 hex); names and titles are bounded by the admin API
    // (128 and 256). The audit's user and device ids come from check requests as sent, so they get more room.
    private static readonly SqlMigration[] AllMigrations =
    [
        new(1, "initial schema",
        [
            $"""
            CREATE TABLE accounts (
                account_id NVARCHAR(64) {Bin} NOT NULL PRIMARY KEY,
                name NVARCHAR(256) {Bin} NOT NULL,
                revision BIGINT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            $"""
            CREATE TABLE roles (
                account_id NVARCHAR(64) {Bin} NOT NULL REFERENCES accounts (account_id),
                role_id NVARCHAR(64) {Bin} NOT NULL,
                name NVARCHAR(256) {Bin} NOT NULL,
                description NVARCHAR(MAX) {Bin} NOT NULL,
                policies NVARCHAR(MAX) {Bin} NOT NULL,
                PRIMARY KEY (account_id, role_id),
                UNIQUE (account_id, name)
            )
            """,
            $"""
            CREATE TABLE users (
                user_id NVARCHAR(64) {Bin} NOT NULL PRIMARY KEY,
                account_id NVARCHAR(64) {Bin} NOT NULL REFERENCES accounts (account_id),
                email NVARCHAR(254) {Bin} NOT NULL,
                email_normalized NVARCHAR(254) {Bin} NOT NULL UNIQUE,
                first_name NVARCHAR(256) {Bin} NOT NULL,
                last_name NVARCHAR(256) {Bin} NOT NULL,
                status BIGINT NOT NULL
            )
            """,
            "CREATE INDEX ix_users_account ON users (account_id, user_id)",
            $"""
            CREATE TABLE user_roles (
                user_id NVARCHAR(64) {Bin} NOT NULL REFERENCES users (user_id),
                account_id NVARCHAR(64) {Bin} NOT NULL,
                role_id NVARCHAR(64) {Bin} NOT NULL,
                position BIGINT NOT NULL,
                PRIMARY KEY (user_id, position),
                UNIQUE (user_id, role_id),
                FOREIGN KEY (account_id, role_id) REFERENCES roles (account_id, role_id)
            )
            """,
            "CREATE INDEX ix_user_roles_role ON user_roles (account_id, role_id)",
            $"""
            CREATE TABLE nodes (
                account_id NVARCHAR(64) {Bin} NOT NULL REFERENCES accounts (account_id),
                node_id NVARCHAR(64) {Bin} NOT NULL,
                kind BIGINT NOT NULL,
                parent_id NVARCHAR(64) {Bin} NOT NULL,
                title NVARCHAR(256) {Bin} NOT NULL,
                agent_remote_access_disabled BIT NOT NULL,
                PRIMARY KEY (account_id, node_id)
            )
            """,
            "CREATE INDEX ix_nodes_parent ON nodes (account_id, parent_id)",
            $"""
            CREATE TABLE node_tags (
                account_id NVARCHAR(64) {Bin} NOT NULL,
                node_id NVARCHAR(64) {Bin} NOT NULL,
                tag NVARCHAR(64) {Bin} NOT NULL,
                position BIGINT NOT NULL,
                PRIMARY KEY (account_id, node_id, position),
                UNIQUE (account_id, node_id, tag),
                FOREIGN KEY (account_id, node_id) REFERENCES nodes (account_id, node_id)
            )
            """,
            $"""
            CREATE TABLE remote_access_settings (
                account_id NVARCHAR(64) {Bin} NOT NULL REFERENCES accounts (account_id),
                target_kind BIGINT NOT NULL,
                target NVARCHAR(64) {Bin} NOT NULL,
                enabled BIT NOT NULL,
                changed_revision BIGINT NOT NULL,
                PRIMARY KEY (account_id, target_kind, target)
            )
            """,
            $"""
            CREATE TABLE audit_events (
                event_id BIGINT IDENTITY(1, 1) NOT NULL PRIMARY KEY,
                time BIGINT NOT NULL,
                account_id NVARCHAR(64) {Bin} NOT NULL,
                kind NVARCHAR(64) {Bin} NOT NULL,
                user_id NVARCHAR(256) {Bin} NOT NULL,
                device_id NVARCHAR(256) {Bin} NOT NULL,
                permission NVARCHAR(128) {Bin} NOT NULL,
                ra_action BIGINT NULL,
                ra_proto NVARCHAR(MAX) {Bin} NULL,
                ra_port BIGINT NULL,
                ra_dst NVARCHAR(MAX) {Bin} NULL,
                ra_direction NVARCHAR(MAX) {Bin} NULL,
                ra_path NVARCHAR(MAX) {Bin} NULL,
                allowed BIT NOT NULL,
                reason BIGINT NOT NULL,
                role_id NVARCHAR(MAX) {Bin} NOT NULL,
                resource NVARCHAR(MAX) {Bin} NOT NULL,
                caller NVARCHAR(MAX) {Bin} NOT NULL,
                request_id NVARCHAR(MAX) {Bin} NOT NULL,
                detail NVARCHAR(MAX) {Bin} NOT NULL,
                revision BIGINT NOT NULL
            )
            """,
            "CREATE INDEX ix_audit_account ON audit_events (account_id, event_id)",
            "CREATE INDEX ix_audit_account_user ON audit_events (account_id, user_id, event_id)",
            "CREATE INDEX ix_audit_account_device ON audit_events (account_id, device_id, event_id)",
        ]),
        new(2, "audit events in segments",
        [
            $"""
            CREATE TABLE audit_segments (
                first_event_id BIGINT NOT NULL PRIMARY KEY,
                account_id NVARCHAR(64) {Bin} NOT NULL,
                last_event_id BIGINT NOT NULL,
                event_count BIGINT NOT NULL,
                min_time BIGINT NOT NULL,
                max_time BIGINT NOT NULL,
                events VARBINARY(MAX) NOT NULL
            )
            """,
            "CREATE INDEX ix_audit_segments_account ON audit_segments (account_id, first_event_id)",
            """
            CREATE TABLE audit_segment_subjects (
                subject_hash BIGINT NOT NULL,
                first_event_id BIGINT NOT NULL,
                PRIMARY KEY (subject_hash, first_event_id)
            )
            """,
            "CREATE INDEX ix_audit_subjects_segment ON audit_segment_subjects (first_event_id)",
            "CREATE TABLE audit_sequence (id BIGINT NOT NULL PRIMARY KEY, last_event_id BIGINT NOT NULL)",
            "INSERT INTO audit_sequence (id, last_event_id) SELECT 1, COALESCE(MAX(event_id), 0) FROM audit_events",
        ]),
        new(3, "device ids unique across accounts",
        [
            $"CREATE UNIQUE INDEX {DeviceIdIndex} ON nodes (node_id) WHERE kind = 2",
        ], new SqlMigrationGuard(DuplicateDeviceIds, DuplicateDevicesProblem)),
        new(4, "a random stamp per revision, so copies of the store with different histories tell apart",
        [
            // The same text on both engines (BIGINT has INTEGER affinity in SQLite). Revisions written before this
            // version keep stamp 0: two copies of a store share (revision, 0) only for a revision written before
            // they parted (the same contents), unless a binary older than this one wrote to one of them.
            "ALTER TABLE accounts ADD revision_stamp BIGINT NOT NULL DEFAULT 0",
        ]),
        new(5, "the change log: what each write changed, for replicas to catch up from",
        [
            $"""
            CREATE TABLE change_log (
                account_id NVARCHAR(64) {Bin} NOT NULL REFERENCES accounts (account_id),
                revision BIGINT NOT NULL,
                stamp BIGINT NOT NULL,
                previous_stamp BIGINT NOT NULL,
                committed_at BIGINT NOT NULL,
                changes VARBINARY(MAX) NOT NULL,
                PRIMARY KEY (account_id, revision)
            )
            """,
            "CREATE INDEX ix_change_log_committed ON change_log (committed_at)",
        ]),
    ];

    private SqlServerDialect()
    {
    }

    public override IReadOnlyList<SqlMigration> Migrations => AllMigrations;

    // Two instances starting together on an empty database: the application lock (released at commit) lets one
    // create the table while the other waits, instead of both trying to.
    public override string CreateMigrationsTable =>
        "EXEC sp_getapplock N'qbee_authz_schema', N'Exclusive', N'Transaction'; "
        + "IF OBJECT_ID(N'schema_migrations', N'U') IS NULL "
        + "CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)";

    // The second instance waits here until the first has applied (and recorded) the migration.
    public override string CountMigration =>
        "SELECT COUNT_BIG(*) FROM schema_migrations WITH (UPDLOCK, HOLDLOCK) WHERE version = @Version";

    // Held to the end of the transaction: every write of the account queues behind this row.
    public override string SelectAccountRevisionForUpdate =>
        "SELECT revision AS Revision, revision_stamp AS Stamp FROM accounts WITH (UPDLOCK, HOLDLOCK, ROWLOCK) WHERE account_id = @AccountId";

    // These decide a write that has no account row to lock yet (a new account) or that crosses accounts (user ids
    // and emails are unique across the platform): the update lock makes a concurrent writer of the same key wait.
    public override string CountAccount =>
        "SELECT COUNT_BIG(*) FROM accounts WITH (UPDLOCK, HOLDLOCK) WHERE account_id = @AccountId";

    public override string SelectUserAccountId =>
        "SELECT account_id FROM users WITH (UPDLOCK, HOLDLOCK) WHERE user_id = @UserId";

    public override string SelectUserIdByEmail =>
        "SELECT user_id FROM users WITH (UPDLOCK, HOLDLOCK) WHERE email_normalized = @EmailNormalized";

    // A claim of a device that another account holds, or is putting right now, waits for that writer's commit
    // (a key-range lock on the device-id index), then sees its row.
    public override string SelectDevicesHeldElsewhere =>
        "SELECT node_id FROM nodes WITH (UPDLOCK, HOLDLOCK) WHERE node_id IN (SELECT id FROM OPENJSON(@NodeIds) WITH (id NVARCHAR(64) '$')) "
        + "AND kind = 2 AND account_id <> @AccountId";

    public override string SelectNodesByIds =>
        "SELECT node_id AS NodeId, kind AS Kind, parent_id AS ParentId FROM nodes "
        + "WHERE account_id = @AccountId AND node_id IN (SELECT id FROM OPENJSON(@NodeIds) WITH (id NVARCHAR(64) '$'))";

    // 2601: a duplicate key in a unique index; the message names the index.
    public override bool IsDeviceIdTaken(DbException error) =>
        error is SqlException { Number: 2601 } e && e.Message.Contains(DeviceIdIndex, StringComparison.Ordinal);

    // Upserts: update, and insert when no row matched (simpler to read than MERGE). No writer can slip in between:
    // the store runs them after locking the account row (or, for a new account, its key), and a user's id and
    // email after the locked lookups above.
    public override string SelectUsersHeldElsewhere =>
        "SELECT user_id FROM users WITH (UPDLOCK, HOLDLOCK) WHERE user_id IN (SELECT id FROM OPENJSON(@UserIds) WITH (id NVARCHAR(64) '$')) "
        + "AND account_id <> @AccountId";

    public override string SelectEmailsHeldElsewhere =>
        "SELECT email_normalized FROM users WITH (UPDLOCK, HOLDLOCK) "
        + "WHERE email_normalized IN (SELECT email FROM OPENJSON(@Emails) WITH (email NVARCHAR(254) '$')) AND account_id <> @AccountId";

    public override string UpsertRole =>
        "UPDATE roles SET name = @Name, description = @Description, policies = @Policies "
        + "WHERE account_id = @AccountId AND role_id = @RoleId; "
        + "IF @@ROWCOUNT = 0 INSERT INTO roles (account_id, role_id, name, description, policies) "
        + "VALUES (@AccountId, @RoleId, @Name, @Description, @Policies)";

    public override string UpsertUser =>
        "UPDATE users SET email = @Email, email_normalized = @EmailNormalized, "
        + "first_name = @FirstName, last_name = @LastName, status = @Status WHERE user_id = @UserId; "
        + "IF @@ROWCOUNT = 0 INSERT INTO users (user_id, account_id, email, email_normalized, first_name, last_name, status) "
        + "VALUES (@UserId, @AccountId, @Email, @EmailNormalized, @FirstName, @LastName, @Status)";

    public override string UpsertNode =>
        "UPDATE nodes SET parent_id = @ParentId, title = @Title, "
        + "agent_remote_access_disabled = @AgentRemoteAccessDisabled WHERE account_id = @AccountId AND node_id = @NodeId; "
        + "IF @@ROWCOUNT = 0 INSERT INTO nodes (account_id, node_id, kind, parent_id, title, agent_remote_access_disabled) "
        + "VALUES (@AccountId, @NodeId, @Kind, @ParentId, @Title, @AgentRemoteAccessDisabled)";

    public override string UpsertRemoteAccessSetting =>
        "UPDATE remote_access_settings SET enabled = @Enabled, changed_revision = @ChangedRevision "
        + "WHERE account_id = @AccountId AND target_kind = @TargetKind AND target = @Target; "
        + "IF @@ROWCOUNT = 0 INSERT INTO remote_access_settings (account_id, target_kind, target, enabled, changed_revision) "
        + "VALUES (@AccountId, @TargetKind, @Target, @Enabled, @ChangedRevision)";

    public override string TakeAuditEventIds =>
        "UPDATE audit_sequence SET last_event_id = last_event_id + @Count OUTPUT inserted.last_event_id WHERE id = 1";

    public override string ListAuditSegments(bool bySubject) =>
        $"SELECT TOP (@Limit) {SegmentColumns} {SegmentSource(bySubject)}";

    public override string ReadAuditSegmentsAfter(bool byAccount) =>
        $"SELECT TOP (@Limit) {SegmentColumns}, s.account_id AS AccountId, s.last_event_id AS LastEventId {SegmentsAfter(byAccount)}";

    public override string SelectExpiredAuditSegments =>
        "SELECT TOP (@Batch) first_event_id AS FirstEventId, event_count AS EventCount FROM audit_segments "
        + "WHERE max_time < @Cutoff ORDER BY first_event_id";

    public override string SelectChangeSets =>
        "SELECT TOP (@Max) revision AS Revision, changes AS Changes FROM change_log "
        + "WHERE account_id = @AccountId AND revision > @AfterRevision ORDER BY revision";

    public override string SelectExpiredChangeSets => $"SELECT TOP (@Batch) {ExpiredChangeSets}";

    public override string CountLegacyAuditTable =>
        "SELECT COUNT_BIG(*) FROM sys.tables WHERE name = N'audit_events'";

    // Locked to the commit: a second instance starting at the same time waits, then finds the rows gone.
    public override string SelectLegacyAuditEvents =>
        $"SELECT TOP (@Limit) {LegacyAuditColumns} FROM audit_events WITH (UPDLOCK, HOLDLOCK) ORDER BY event_id";
}
