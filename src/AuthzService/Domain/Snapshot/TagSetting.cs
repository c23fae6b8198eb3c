namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>A tag's remote-access setting and the revision it was last changed at (the most recent one wins).</summary>
internal readonly record struct TagSetting(bool Enabled, long ChangedRevision);
