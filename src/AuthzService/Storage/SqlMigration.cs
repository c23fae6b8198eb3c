namespace Qbee.Authz.Service.Storage;

/// <summary>
/// One schema step. Applied once, in its own transaction, and recorded in <c>schema_migrations</c>.
/// Statements are separate because SQL Server cannot run some DDL in one batch.
/// </summary>
/// <param name="Guard">Run first, in the same transaction: data the step cannot take refuses it whole.</param>
internal sealed record SqlMigration(int Version, string Name, IReadOnlyList<string> Statements, SqlMigrationGuard? Guard = null);

/// <summary>
/// A query for the rows that stop a migration, as <c>(Subject, Holder)</c> ordered by subject: for example a
/// device id and each account holding it. Any row refuses the migration with <paramref name="Problem"/> and the
/// rows listed, so the operator can fix the data and start again.
/// </summary>
internal sealed record SqlMigrationGuard(string Query, string Problem);
