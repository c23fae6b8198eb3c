namespace Qbee.Authz.Service.Storage;

/// <summary>
/// Brings the schema to the dialect's latest version: each pending migration once, in its own write transaction,
/// its guard first; then moves schema version 1's audit rows into segments.
/// </summary>
internal sealed class SqlMigrator(IStoreConnectionFactory connections, SqlDialect sql, SqlAuditLog auditLog, TimeProvider timeProvider)
{
    // A refused migration lists this many conflicts at most, then how many more there are.
    private const int MaxListedConflicts = 100;

    /// <summary>Locked (<see cref="SqlDialect.LockKey"/>) by each step, so instances starting together take turns.</summary>
    internal const string SchemaKey = "schema";

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var migrations = sql.Migrations;
        for (var i = 1; i < migrations.Count; i++)
        {
            if (migrations[i].Version <= migrations[i - 1].Version)
            {
                throw new InvalidOperationException("Store migrations must have ascending, unique versions.");
            }
        }

        await using (var setup = await StoreTransaction.BeginAsync(connections, write: true, cancellationToken))
        {
            await setup.LockKeyAsync(sql, SchemaKey);
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
            await using var tx = await StoreTransaction.BeginAsync(connections, write: true, cancellationToken);

            // Checked inside the write transaction: two instances starting together apply it once.
            await tx.LockKeyAsync(sql, SchemaKey);
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

            await tx.ExecuteAsync(sql.InsertMigration, new { migration.Version, AppliedAt = timeProvider.GetUtcNow().ToUnixTimeMilliseconds() });
            await tx.CommitAsync();
        }

        await auditLog.MoveLegacyEventsAsync(cancellationToken);
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
}
