namespace Qbee.Authz.Service.Storage;

/// <summary>What one purge transaction deleted: fewer segments than asked for means nothing old is left.</summary>
internal readonly record struct AuditPurgeBatch(int Segments, long Events);
