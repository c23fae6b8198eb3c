using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Qbee.Authz.Service.Storage.Sqlite;

/// <summary>
/// SQLite text. Column types stay portable (TEXT, INTEGER) so the SQL Server migrations map them one to one
/// (NVARCHAR, BIGINT). Times are unix milliseconds. Tables keyed by text are WITHOUT ROWID: stored in key
/// order (a clustered key, as on SQL Server), so loading an account's tree is one range scan per table.
/// </summary>
internal sealed class SqliteDialect : SqlDialect
{
    public static readonly SqliteDialect Instance = new();

    // SQLITE_CONSTRAINT: the extended code (which kind of constraint) is not always reported.
    private const int SqliteConstraint = 19;

    private static readonly SqlMigration[] AllMigrations =
    [
        new(1, "initial schema",
        [
            """
            CREATE TABLE accounts (
                account_id TEXT NOT NULL PRIMARY KEY,
                name TEXT NOT NULL,
                revision INTEGER NOT NULL,
                created_at INTEGER NOT NULL
            )
            """,
            """
            CREATE TABLE roles (
                account_id TEXT NOT NULL REFERENCES accounts (account_id),
                role_id TEXT NOT NULL,
                name TEXT NOT NULL,
                description TEXT NOT NULL,
                policies TEXT NOT NULL,
                PRIMARY KEY (account_id, role_id),
                UNIQUE (account_id, name)
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE users (
                user_id TEXT NOT NULL PRIMARY KEY,
                account_id TEXT NOT NULL REFERENCES accounts (account_id),
                email TEXT NOT NULL,
                email_normalized TEXT NOT NULL UNIQUE,
                first_name TEXT NOT NULL,
                last_name TEXT NOT NULL,
                status INTEGER NOT NULL
            )
            """,
            "CREATE INDEX ix_users_account ON users (account_id, user_id)",
            """
            CREATE TABLE user_roles (
                user_id TEXT NOT NULL REFERENCES users (user_id),
                account_id TEXT NOT NULL,
                role_id TEXT NOT NULL,
                position INTEGER NOT NULL,
                PRIMARY KEY (user_id, position),
                UNIQUE (user_id, role_id),
                FOREIGN KEY (account_id, role_id) REFERENCES roles (account_id, role_id)
            ) WITHOUT ROWID
            """,
            "CREATE INDEX ix_user_roles_role ON user_roles (account_id, role_id)",
            """
            CREATE TABLE nodes (
                account_id TEXT NOT NULL REFERENCES accounts (account_id),
                node_id TEXT NOT NULL,
                kind INTEGER NOT NULL,
                parent_id TEXT NOT NULL,
                title TEXT NOT NULL,
                agent_remote_access_disabled INTEGER NOT NULL,
                PRIMARY KEY (account_id, node_id)
            ) WITHOUT ROWID
            """,
            "CREATE INDEX ix_nodes_parent ON nodes (account_id, parent_id)",
            """
            CREATE TABLE node_tags (
                account_id TEXT NOT NULL,
                node_id TEXT NOT NULL,
                tag TEXT NOT NULL,
                position INTEGER NOT NULL,
                PRIMARY KEY (account_id, node_id, position),
                UNIQUE (account_id, node_id, tag),
                FOREIGN KEY (account_id, node_id) REFERENCES nodes (account_id, node_id)
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE remote_access_settings (
                account_id TEXT NOT NULL REFERENCES accounts (account_id),
                target_kind INTEGER NOT NULL,
                target TEXT NOT NULL,
                enabled INTEGER NOT NULL,
                changed_revision INTEGER NOT NULL,
                PRIMARY KEY (account_id, target_kind, target)
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE audit_events (
                event_id INTEGER PRIMARY KEY AUTOINCREMENT,
                time INTEGER NOT NULL,
                account_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                user_id TEXT NOT NULL,
                device_id TEXT NOT NULL,
                permission TEXT NOT NULL,
                ra_action INTEGER NULL,
                ra_proto TEXT NULL,
                ra_port INTEGER NULL,
                ra_dst TEXT NULL,
                ra_direction TEXT NULL,
                ra_path TEXT NULL,
                allowed INTEGER NOT NULL,
                reason INTEGER NOT NULL,
                role_id TEXT NOT NULL,
                resource TEXT NOT NULL,
                caller TEXT NOT NULL,
                request_id TEXT NOT NULL,
                detail TEXT NOT NULL,
                revision INTEGER NOT NULL
            )
            """,
            "CREATE INDEX ix_audit_account ON audit_events (account_id, event_id)",
            "CREATE INDEX ix_audit_account_user ON audit_events (account_id, user_id, event_id)",
            "CREATE INDEX ix_audit_account_device ON audit_events (account_id, device_id, event_id)",
        ]),
        new(2, "audit events in segments",
        [
            """
            CREATE TABLE audit_segments (
                first_event_id INTEGER NOT NULL PRIMARY KEY,
                account_id TEXT NOT NULL,
                last_event_id INTEGER NOT NULL,
                event_count INTEGER NOT NULL,
                min_time INTEGER NOT NULL,
                max_time INTEGER NOT NULL,
                events BLOB NOT NULL
            )
            """,
            "CREATE INDEX ix_audit_segments_account ON audit_segments (account_id, first_event_id)",
            """
            CREATE TABLE audit_segment_subjects (
                subject_hash INTEGER NOT NULL,
                first_event_id INTEGER NOT NULL,
                PRIMARY KEY (subject_hash, first_event_id)
            ) WITHOUT ROWID
            """,
            "CREATE INDEX ix_audit_subjects_segment ON audit_segment_subjects (first_event_id)",
            "CREATE TABLE audit_sequence (id INTEGER NOT NULL PRIMARY KEY, last_event_id INTEGER NOT NULL)",
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
            // A rowid table, not WITHOUT ROWID: a batch's change set can span pages, which SQLite stores better
            // outside the key's b-tree.
            """
            CREATE TABLE change_log (
                account_id TEXT NOT NULL REFERENCES accounts (account_id),
                revision INTEGER NOT NULL,
                stamp INTEGER NOT NULL,
                previous_stamp INTEGER NOT NULL,
                committed_at INTEGER NOT NULL,
                changes BLOB NOT NULL,
                PRIMARY KEY (account_id, revision)
            )
            """,
            "CREATE INDEX ix_change_log_committed ON change_log (committed_at)",
        ]),
    ];

    private SqliteDialect()
    {
    }

    public override IReadOnlyList<SqlMigration> Migrations => AllMigrations;

    public override string CreateMigrationsTable =>
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL)";

    // Write transactions start with BEGIN IMMEDIATE (see SqliteConnectionFactory): the whole database is
    // already locked for writing, so a plain read is enough.
    public override string SelectAccountRevisionForUpdate =>
        "SELECT revision AS Revision, revision_stamp AS Stamp FROM accounts WHERE account_id = @AccountId";

    public override string SelectNodesByIds =>
        "SELECT node_id AS NodeId, kind AS Kind, parent_id AS ParentId FROM nodes "
        + "WHERE account_id = @AccountId AND node_id IN (SELECT value FROM json_each(@NodeIds))";

    public override string SelectDevicesHeldElsewhere =>
        "SELECT node_id FROM nodes WHERE node_id IN (SELECT value FROM json_each(@NodeIds)) AND kind = 2 AND account_id <> @AccountId";

    public override string SelectUsersHeldElsewhere =>
        "SELECT user_id FROM users WHERE user_id IN (SELECT value FROM json_each(@UserIds)) AND account_id <> @AccountId";

    public override string SelectEmailsHeldElsewhere =>
        "SELECT email_normalized FROM users WHERE email_normalized IN (SELECT value FROM json_each(@Emails)) AND account_id <> @AccountId";

    public override string UpsertRole =>
        "INSERT INTO roles (account_id, role_id, name, description, policies) "
        + "VALUES (@AccountId, @RoleId, @Name, @Description, @Policies) "
        + "ON CONFLICT (account_id, role_id) DO UPDATE SET name = excluded.name, description = excluded.description, "
        + "policies = excluded.policies";

    public override string UpsertUser =>
        "INSERT INTO users (user_id, account_id, email, email_normalized, first_name, last_name, status) "
        + "VALUES (@UserId, @AccountId, @Email, @EmailNormalized, @FirstName, @LastName, @Status) "
        + "ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, email_normalized = excluded.email_normalized, "
        + "first_name = excluded.first_name, last_name = excluded.last_name, status = excluded.status";

    public override string UpsertNode =>
        "INSERT INTO nodes (account_id, node_id, kind, parent_id, title, agent_remote_access_disabled) "
        + "VALUES (@AccountId, @NodeId, @Kind, @ParentId, @Title, @AgentRemoteAccessDisabled) "
        + "ON CONFLICT (account_id, node_id) DO UPDATE SET parent_id = excluded.parent_id, title = excluded.title, "
        + "agent_remote_access_disabled = excluded.agent_remote_access_disabled";

    public override string UpsertRemoteAccessSetting =>
        "INSERT INTO remote_access_settings (account_id, target_kind, target, enabled, changed_revision) "
        + "VALUES (@AccountId, @TargetKind, @Target, @Enabled, @ChangedRevision) "
        + "ON CONFLICT (account_id, target_kind, target) DO UPDATE SET enabled = excluded.enabled, "
        + "changed_revision = excluded.changed_revision";

    // SQLite names the columns of a unique index, not the index: only the device-id index is on nodes.node_id alone
    // (the primary key reads "nodes.account_id, nodes.node_id").
    public override bool IsDeviceIdTaken(DbException error) =>
        error is SqliteException { SqliteErrorCode: SqliteConstraint } e
        && e.Message.Contains("UNIQUE constraint failed: nodes.node_id", StringComparison.Ordinal);

    public override string TakeAuditEventIds =>
        "UPDATE audit_sequence SET last_event_id = last_event_id + @Count WHERE id = 1 RETURNING last_event_id";

    public override string ListAuditSegments(bool bySubject) =>
        $"SELECT {SegmentColumns} {SegmentSource(bySubject)} LIMIT @Limit";

    public override string ReadAuditSegmentsAfter(bool byAccount) =>
        $"SELECT {SegmentColumns}, s.account_id AS AccountId, s.last_event_id AS LastEventId {SegmentsAfter(byAccount)} LIMIT @Limit";

    public override string SelectExpiredAuditSegments =>
        "SELECT first_event_id AS FirstEventId, event_count AS EventCount FROM audit_segments "
        + "WHERE max_time < @Cutoff ORDER BY first_event_id LIMIT @Batch";

    public override string SelectChangeSets =>
        "SELECT revision AS Revision, changes AS Changes FROM change_log "
        + "WHERE account_id = @AccountId AND revision > @AfterRevision ORDER BY revision LIMIT @Max";

    public override string SelectExpiredChangeSets => $"SELECT {ExpiredChangeSets} LIMIT @Batch";

    public override string CountLegacyAuditTable =>
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'audit_events'";

    public override string SelectLegacyAuditEvents =>
        $"SELECT {LegacyAuditColumns} FROM audit_events ORDER BY event_id LIMIT @Limit";
}
