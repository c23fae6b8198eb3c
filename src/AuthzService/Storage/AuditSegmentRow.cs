namespace Qbee.Authz.Service.Storage;

/// <summary>A row of <c>audit_segments</c> as listings read it: its events, encoded by <see cref="AuditSegmentCodec"/>.</summary>
internal sealed class AuditSegmentRow
{
    public long FirstEventId { get; set; }

    public byte[] Events { get; set; } = [];

    /// <summary>Read by the watch, which reads every account's segments; listings know their account.</summary>
    public string AccountId { get; set; } = string.Empty;

    /// <summary>Read by the watch only.</summary>
    public long LastEventId { get; set; }
}
