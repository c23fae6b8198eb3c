namespace Qbee.Authz.Service.Snapshots;

/// <summary>
/// Which accounts a replica holds in memory (section Authz:Snapshots): every account compiled at start (<c>All</c>,
/// as before), or only those it is asked about, loaded on their first check and evicted least recently used first
/// when their snapshots pass <see cref="MemoryBudget"/>.
/// </summary>
internal sealed class SnapshotOptions
{
    public const string SectionName = "Authz:Snapshots";

    public const string All = "All";

    public const string None = "None";

    /// <summary>The default budget when accounts load on demand: 512 MB.</summary>
    public const long DefaultOnDemandBudget = 512L * 1024 * 1024;

    /// <summary>
    /// <c>All</c> (every account loaded at start, never evicted), <c>None</c> (every account on demand), or account
    /// ids separated by commas: loaded at start and pinned (never evicted), the others on demand.
    /// </summary>
    public string Preload { get; set; } = All;

    /// <summary>Bytes of snapshots (their estimates) held before the least recently used are evicted; 0: the default
    /// (unlimited with <c>All</c>, <see cref="DefaultOnDemandBudget"/> otherwise). Refused with <c>All</c>.</summary>
    public long MemoryBudget { get; set; }

    public bool PreloadsAll => string.Equals(Preload.Trim(), All, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether accounts load on demand (Preload other than <c>All</c>): the one place that decides it.</summary>
    public bool OnDemand => !PreloadsAll;

    /// <summary>The pinned accounts: none for <c>All</c> (all are held anyway) and <c>None</c>.</summary>
    public IReadOnlyList<string> PinnedAccounts =>
        PreloadsAll || string.Equals(Preload.Trim(), None, StringComparison.OrdinalIgnoreCase)
            ? []
            : Preload.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Whether the account is held whatever its use: every account with <c>All</c>, a pinned one otherwise. Never
    /// evicted, and followed (loaded) on every write; the others, on demand, only when used.
    /// </summary>
    public bool AlwaysHolds(string accountId) => !OnDemand || PinnedSet.Contains(accountId);

    public long EffectiveBudget => MemoryBudget > 0 ? MemoryBudget : PreloadsAll ? long.MaxValue : DefaultOnDemandBudget;

    // Parsed once per Preload value (asked per change message and per account of each poll); a reference, so no
    // reader sees half of it.
    private PinnedIds? _pinned;

    private HashSet<string> PinnedSet
    {
        get
        {
            var pinned = _pinned;
            if (pinned is null || !ReferenceEquals(pinned.Source, Preload))
            {
                pinned = new PinnedIds(Preload, new HashSet<string>(PinnedAccounts, StringComparer.Ordinal));
                _pinned = pinned;
            }

            return pinned.Set;
        }
    }

    private sealed record PinnedIds(string Source, HashSet<string> Set);
}
