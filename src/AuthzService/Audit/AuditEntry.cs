using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Audit;

/// <summary>A queued event and the check's wait it belongs to (that ticket's use).</summary>
internal readonly record struct AuditEntry(AuditRecord Record, AuditTicket Ticket, uint Use);
