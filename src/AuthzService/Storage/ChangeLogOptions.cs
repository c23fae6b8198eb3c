using System.ComponentModel.DataAnnotations;

namespace Qbee.Authz.Service.Storage;

/// <summary>How long the change log in SQL is kept (section Authz:ChangeLog): what replicas can catch up from.</summary>
internal sealed class ChangeLogOptions
{
    public const string SectionName = "Authz:ChangeLog";

    /// <summary>Change sets committed longer ago than this are deleted, except the newest <see cref="KeepRevisions"/>.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The newest change sets of each account kept whatever their age, so a quiet account can still be caught up on.</summary>
    [Range(0, 100_000_000)]
    public int KeepRevisions { get; set; } = 10_000;

    /// <summary>How often old change sets are looked for.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Change sets deleted per transaction, so no purge holds the store (and its writers) for long.</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 1_000;
}
