using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Storage;

/// <summary>
/// Audit events after an id, in id order, which is commit order (see <see cref="SqlDialect.TakeAuditEventIds"/>).
/// <paramref name="More"/>: the read stopped at its limit, more may follow at once. <paramref name="Purged"/>:
/// retention deleted events after the id asked for, of any account (the lowest id still stored is
/// <paramref name="OldestStored"/>), so a stream from there could not be complete; nothing is delivered then. <paramref name="LastIssued"/>: the
/// last id handed out as of the read; without <paramref name="More"/>, every event up to it is in
/// <paramref name="Events"/> (or of another account), so a stream may go on from there.
/// </summary>
internal sealed record AuditTail(IReadOnlyList<AuditRecord> Events, bool More, bool Purged, long OldestStored, long LastIssued);
