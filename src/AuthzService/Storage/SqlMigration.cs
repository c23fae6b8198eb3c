namespace Qbee.Authz.Service.Storage;

/// <summary>
/// One schema step. Applied once, in its own transaction, and recorded in <c>schema_migrations</c>.
/// Statements are separate because SQL Server cannot run some DDL in one batch.
/// </summary>
internal sealed record SqlMigration(int Version, string Name, IReadOnlyList<string> Statements);
