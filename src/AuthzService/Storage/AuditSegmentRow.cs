namespace Qbee.Authz.Service.Storage;

/// <summary>A row of <c>audit_segments</c> as listings read it: its events, encoded by <see cref="AuditSegmentCodec"/>.</summary>
internal sealed class AuditSegmentRow
{
    public long FirstEventId { get; set; }

    public byte[] Events { get; set; } = [];
}
