using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Storage;

/// <summary>
/// The audit log in the store: what the audit writer and purger need, and nothing of the accounts. Admin writes
/// append their own event inside their transaction (<see cref="IAuthzStore"/>).
/// </summary>
internal interface IAuditStore
{
    /// <summary>Appends decision events (admin events are written by their own write). One transaction.</summary>
    Task AppendAuditEventsAsync(IReadOnlyList<AuditRecord> events, CancellationToken cancellationToken);

    /// <summary>Newest first; <see cref="AuditQuery.BeforeEventId"/> pages.</summary>
    Task<IReadOnlyList<AuditRecord>> ListAuditEventsAsync(AuditQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes audit events older than <paramref name="cutoff"/>, oldest first, a segment at a time (its events lie
    /// within <see cref="AuditSegment.MaxTimeSpread"/>), at most <paramref name="maxSegments"/> in one transaction.
    /// </summary>
    Task<AuditPurgeBatch> DeleteAuditEventsBeforeAsync(DateTimeOffset cutoff, int maxSegments, CancellationToken cancellationToken);
}

/// <summary>Filters of ListAuditEvents. Empty strings and nulls do not filter.</summary>
internal sealed record AuditQuery(
    string AccountId,
    int Limit,
    long? BeforeEventId,
    string UserId,
    string DeviceId,
    DateTimeOffset? Since);
