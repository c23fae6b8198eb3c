using Qbee.Authz.Service.Domain.Changes;

namespace Qbee.Authz.Service.Storage;

/// <summary>
/// The change log in SQL: one row per committed write of an account, keyed by (account, revision), holding its
/// change set (<see cref="ChangeSetCodec"/>). A write appends its row inside its own transaction
/// (<see cref="AppendAsync"/>), so the log holds exactly the committed writes; replicas read it to catch up, and the
/// purger trims it past its retention.
/// </summary>
internal sealed class SqlChangeLog(IStoreConnectionFactory connections, SqlDialect sql)
{
    public Task AppendAsync(StoreTransaction tx, ChangeSet changeSet) =>
        tx.ExecuteAsync(sql.InsertChangeSet, new
        {
            changeSet.AccountId,
            changeSet.Version.Revision,
            changeSet.Version.Stamp,
            changeSet.PreviousStamp,
            CommittedAt = changeSet.CommittedAt.ToUnixTimeMilliseconds(),
            Changes = ChangeSetCodec.Encode(changeSet),
        });

    public async Task<ChangeLogPage?> ReadAsync(string accountId, long afterRevision, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        await using var tx = await StoreTransaction.BeginAsync(connections, write: false, cancellationToken);
        var account = await tx.SingleOrDefaultAsync<Domain.Model.AccountRecord>(sql.SelectAccount, new { AccountId = accountId });
        if (account is null)
        {
            return null;
        }

        var rows = await tx.QueryAsync<ChangeLogRow>(sql.SelectChangeSets, new { AccountId = accountId, AfterRevision = afterRevision, Max = max });
        var changeSets = new List<ChangeSet>();
        var expected = afterRevision + 1;
        foreach (var row in rows)
        {
            // Rows are purged oldest first, so the log never has a hole after its first row; stop at one all the same
            // rather than hand out a chain with a gap.
            if (row.Revision != expected)
            {
                break;
            }

            // A row this version cannot read (a newer layout mid-upgrade, a damaged row) ends the page like a hole:
            // the reader then loads the account whole from its tables, which never need the log.
            if (TryDecode(row.Changes, accountId) is not { } changeSet)
            {
                break;
            }

            changeSets.Add(changeSet);
            expected++;
        }

        await tx.CommitAsync();

        // Nothing to read is covered; something to read is covered only when its first revision is still there.
        var covered = afterRevision >= account.Revision || changeSets.Count > 0;
        return new ChangeLogPage(covered ? changeSets : [], covered, account.Revision);
    }

    private static ChangeSet? TryDecode(byte[] bytes, string accountId)
    {
        try
        {
            return ChangeSetCodec.Decode(bytes, accountId);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>One transaction: at most <paramref name="maxRows"/> of the oldest expired rows.</summary>
    public async Task<int> PurgeAsync(DateTimeOffset cutoff, int keepRevisions, int maxRows, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keepRevisions);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        await using var tx = await StoreTransaction.BeginAsync(connections, write: true, cancellationToken);
        var expired = (await tx.QueryAsync<ChangeLogKeyRow>(sql.SelectExpiredChangeSets, new
        {
            Cutoff = cutoff.ToUnixTimeMilliseconds(),
            KeepRevisions = (long)keepRevisions,
            Batch = maxRows,
        })).ToList();
        if (expired.Count > 0)
        {
            await tx.ExecuteAsync(sql.DeleteChangeSet, expired);
        }

        await tx.CommitAsync();
        return expired.Count;
    }
}
