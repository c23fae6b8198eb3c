namespace Qbee.Authz.Service.Snapshots;

/// <summary>How stale a replica may get before it stops taking traffic (section Authz:Sync).</summary>
internal sealed class StalenessOptions
{
    public const string SectionName = "Authz:Sync";

    /// <summary>
    /// Past this since an account was last confirmed current with the store, the health of AuthorizationService
    /// turns NOT_SERVING (checks keep answering from the snapshot held). 1 s..1 day, and longer than
    /// Authz:Redis:PollInterval (see <see cref="StalenessOptionsValidator"/>).
    /// </summary>
    public TimeSpan MaxStaleness { get; set; } = TimeSpan.FromSeconds(60);
}
