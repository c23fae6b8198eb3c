using System.ComponentModel.DataAnnotations;

namespace Qbee.Authz.Service.Audit;

/// <summary>Settings of the audit writer (section Authz:Audit).</summary>
internal sealed class AuditOptions
{
    public const string Section = "Authz:Audit";

    /// <summary>Events held in memory before checks that produce events wait for room.</summary>
    [Range(1_000, 10_000_000)]
    public int QueueCapacity { get; set; } = 100_000;

    /// <summary>Events written per transaction.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 1_000;
}
