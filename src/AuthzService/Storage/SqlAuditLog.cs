using Dapper;
using System.Data.Common;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Storage;

/// <summary>
/// The audit trail in SQL, for every provider: events go into segments (<see cref="AuditSegment"/>), one row per
/// account and batch, with their user and device ids indexed by hash in <c>audit_segment_subjects</c>. Listings
/// read segments newest first and filter the decoded events exactly. An admin write appends its event inside its
/// own transaction (<see cref="AppendAsync(StoreTransaction, IReadOnlyList{AuditRecord})"/>); the other calls run
/// in a transaction of their own.
/// </summary>
internal sealed class SqlAuditLog(IStoreConnectionFactory connections, SqlDialect sql)
{
    private const int DefaultLimit = 100;
    private const int SegmentsPerRead = 16;
    private const int LegacyRowsPerTransaction = 1000;

    /// <summary>Appends decision events in one transaction.</summary>
    public async Task AppendAsync(IReadOnlyList<AuditRecord> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        await using var tx = await StoreTransaction.BeginAsync(connections, write: true, cancellationToken);
        await AppendAsync(tx, events);
        await tx.CommitAsync();
    }

    public async Task<IReadOnlyList<AuditRecord>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        await using var tx = await StoreTransaction.BeginAsync(connections, write: false, cancellationToken);
        return await ListAsync(tx, query);
    }

    public async Task<AuditPurgeBatch> DeleteExpiredAsync(DateTimeOffset cutoff, int maxSegments, CancellationToken cancellationToken)
    {
        await using var tx = await StoreTransaction.BeginAsync(connections, write: true, cancellationToken);
        var purged = await DeleteExpiredAsync(tx, cutoff, maxSegments);
        await tx.CommitAsync();
        return purged;
    }

    public async Task AppendAsync(StoreTransaction tx, IReadOnlyList<AuditRecord> events)
    {
        foreach (var segment in AuditSegment.Split(events))
        {
            var count = segment.Events.Count;
            var lastEventId = await tx.ScalarAsync<long>(sql.TakeAuditEventIds, new { Count = (long)count });
            var firstEventId = lastEventId - count + 1;
            await InsertAsync(tx, segment, firstEventId, lastEventId, AuditSegmentCodec.Encode(segment.Events));
        }
    }

    private async Task<IReadOnlyList<AuditRecord>> ListAsync(StoreTransaction tx, AuditQuery query)
    {
        var limit = query.Limit > 0 ? query.Limit : DefaultLimit;
        var before = query.BeforeEventId ?? long.MaxValue;
        var since = query.Since?.ToUnixTimeMilliseconds() ?? long.MinValue;
        var userId = query.UserId ?? string.Empty;
        var deviceId = query.DeviceId ?? string.Empty;

        // A device is usually the narrower key; the other filter is applied to the decoded events.
        long? subjectHash = deviceId.Length > 0 ? AuditSubject.Hash(query.AccountId, AuditSubject.Device, deviceId)
            : userId.Length > 0 ? AuditSubject.Hash(query.AccountId, AuditSubject.User, userId)
            : null;

        var found = new List<AuditRecord>(Math.Min(limit, AuditSegment.MaxEvents));
        var cursor = before;
        while (true)
        {
            var segments = (await tx.QueryAsync<AuditSegmentRow>(sql.ListAuditSegments(subjectHash is not null), new
            {
                query.AccountId,
                BeforeEventId = cursor,
                Since = since,
                SubjectHash = subjectHash ?? 0,
                Limit = SegmentsPerRead,
            })).AsList();

            foreach (var segment in segments)
            {
                var events = AuditSegmentCodec.Decode(segment.Events, query.AccountId, segment.FirstEventId);
                for (var i = events.Count - 1; i >= 0; i--)
                {
                    var e = events[i];
                    if (e.EventId < before
                        && e.Time.ToUnixTimeMilliseconds() >= since
                        && (userId.Length == 0 || e.UserId == userId)
                        && (deviceId.Length == 0 || e.DeviceId == deviceId))
                    {
                        found.Add(e);
                        if (found.Count == limit)
                        {
                            return found;
                        }
                    }
                }

                cursor = segment.FirstEventId;
            }

            if (segments.Count < SegmentsPerRead)
            {
                return found;
            }
        }
    }

    /// <summary>
    /// The events after <paramref name="afterEventId"/> (of one account, or of all with an empty
    /// <paramref name="accountId"/>; 0: from the oldest stored), at most <paramref name="maxSegments"/> segments'
    /// worth, and whether retention deleted any event after it up to where the read reached (of any account: the
    /// store keeps no record of what it deleted). Ids are taken from one row locked to the commit, so on every engine
    /// an id is visible only once every smaller one has committed (or rolled back and been handed out again):
    /// reading by id is reading in commit order, across replicas too. The bounds are read in the same transaction,
    /// so the segments and the last id handed out agree. Segments moved from schema 1 may interleave their ids across
    /// accounts; a resume from inside such a segment may then miss events of another account's segment that started earlier.
    /// </summary>
    public async Task<AuditTail> ReadAfterAsync(string accountId, long afterEventId, int maxSegments, CancellationToken cancellationToken)
    {
        await using var tx = await StoreTransaction.BeginAsync(connections, write: false, cancellationToken);
        var bounds = await tx.SingleOrDefaultAsync<(long? OldestStored, long? LastIssued)>(sql.SelectAuditBounds);
        var lastIssued = bounds.LastIssued ?? 0;
        var oldestStored = bounds.OldestStored ?? lastIssued + 1;

        // From the oldest stored: what retention deleted before it is no hole in this stream.
        var after = afterEventId > 0 ? afterEventId : Math.Min(oldestStored - 1, lastIssued);
        var segments = (await tx.QueryAsync<AuditSegmentRow>(sql.ReadAuditSegmentsAfter(accountId.Length > 0), new
        {
            AccountId = accountId,
            AfterEventId = after,
            Limit = maxSegments,
        })).AsList();

        var more = segments.Count == maxSegments;
        var upTo = more ? segments[^1].LastEventId : lastIssued;
        var stored = upTo > after ? await tx.ScalarAsync<long>(sql.CountAuditEventsBetween, new { AfterEventId = after, UpTo = upTo }) : 0;
        var purged = stored < upTo - after;

        var events = new List<AuditRecord>();
        foreach (var segment in segments)
        {
            foreach (var e in AuditSegmentCodec.Decode(segment.Events, segment.AccountId, segment.FirstEventId))
            {
                if (e.EventId > after)
                {
                    events.Add(e);
                }
            }
        }

        // A hole: nothing of this read is delivered, so the stream ends at the last event it had before the hole.
        return purged ? new AuditTail([], false, true, oldestStored, lastIssued) : new AuditTail(events, more, false, oldestStored, lastIssued);
    }

    /// <summary>Deletes at most <paramref name="maxSegments"/> of the oldest segments whose newest event is before the cutoff.</summary>
    private async Task<AuditPurgeBatch> DeleteExpiredAsync(StoreTransaction tx, DateTimeOffset cutoff, int maxSegments)
    {
        var cutoffMs = cutoff.ToUnixTimeMilliseconds();
        var expired = (await tx.QueryAsync<(long FirstEventId, long EventCount)>(
            sql.SelectExpiredAuditSegments, new { Cutoff = cutoffMs, Batch = maxSegments })).AsList();
        if (expired.Count == 0)
        {
            return new AuditPurgeBatch(0, 0);
        }

        // The same predicate as the select, bounded by its last id: no id list (SQL Server takes at most 2100 parameters).
        var range = new { Cutoff = cutoffMs, UpTo = expired[^1].FirstEventId };
        await tx.ExecuteAsync(sql.DeleteAuditSubjects, range);
        await tx.ExecuteAsync(sql.DeleteAuditSegments, range);
        return new AuditPurgeBatch(expired.Count, expired.Sum(s => s.EventCount));
    }

    /// <summary>
    /// Moves the rows of schema version 1's <c>audit_events</c> into segments, keeping their ids, a transaction per
    /// thousand rows (a crash resumes where it stopped), and drops that table once it is empty.
    /// </summary>
    public async Task MoveLegacyEventsAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await using var tx = await StoreTransaction.BeginAsync(connections, write: true, cancellationToken);

            // Instances starting together take turns: two that both read the empty table would both wait to drop it.
            await tx.LockKeyAsync(sql, SqlMigrator.SchemaKey);
            if (await tx.ScalarAsync<long>(sql.CountLegacyAuditTable) == 0)
            {
                return;
            }

            var rows = (await tx.QueryAsync<LegacyAuditRow>(sql.SelectLegacyAuditEvents, new { Limit = LegacyRowsPerTransaction })).AsList();
            if (rows.Count == 0)
            {
                await tx.ExecuteAsync(sql.DropLegacyAuditTable);
                await tx.CommitAsync();
                return;
            }

            foreach (var segment in AuditSegment.Split(rows.ConvertAll(r => r.ToRecord())))
            {
                var firstEventId = segment.Events[0].EventId;
                var blob = AuditSegmentCodec.EncodeWithIds(segment.Events, firstEventId);
                await InsertAsync(tx, segment, firstEventId, segment.Events[^1].EventId, blob);
            }

            await tx.ExecuteAsync(sql.DeleteLegacyAuditEvents, new { LastEventId = rows[^1].EventId });
            await tx.CommitAsync();
        }
    }

    private async Task InsertAsync(StoreTransaction tx, AuditSegment segment, long firstEventId, long lastEventId, byte[] events)
    {
        await tx.ExecuteAsync(sql.InsertAuditSegment, new
        {
            FirstEventId = firstEventId,
            segment.AccountId,
            LastEventId = lastEventId,
            EventCount = (long)segment.Events.Count,
            segment.MinTime,
            segment.MaxTime,
            Events = events,
        });

        // One command, its two parameters reused: a batch of many users and devices is many rows.
        await using var insert = tx.Command(sql.InsertAuditSubject);
        var hash = Parameter(insert, "@SubjectHash");
        Parameter(insert, "@FirstEventId").Value = firstEventId;
        foreach (var subjectHash in segment.SubjectHashes())
        {
            hash.Value = subjectHash;
            await insert.ExecuteNonQueryAsync(tx.CancellationToken);
        }
    }

    private static DbParameter Parameter(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
