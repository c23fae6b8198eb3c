using System.ComponentModel.DataAnnotations;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>How stale a replica may get before it stops taking traffic (section Authz:Sync).</summary>
internal sealed class StalenessOptions
{
    public const string Section = "Authz:Sync";

    /// <summary>
    /// Past this since an account was last confirmed current with the store, the health of AuthorizationService
    /// turns NOT_SERVING (checks keep answering from the snapshot held). Longer than Authz:Redis:PollInterval.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxStaleness { get; set; } = TimeSpan.FromSeconds(60);
}
