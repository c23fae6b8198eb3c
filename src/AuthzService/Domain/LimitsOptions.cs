using System.ComponentModel.DataAnnotations;

namespace Qbee.Authz.Service.Domain;

/// <summary>
/// Size limits that protect the process from one request that is too big (section Authz:Limits). Each is
/// checked where the request is read; a request over a limit is refused (INVALID_ARGUMENT, or
/// RESOURCE_EXHAUSTED for a message over <see cref="MaxMessageBytes"/>) and changes nothing.
/// </summary>
internal sealed class LimitsOptions
{
    public const string SectionName = "Authz:Limits";

    /// <summary>Checks in one CheckBatch.</summary>
    [Range(1, 100_000)]
    public int MaxBatch { get; set; } = 1_000;

    /// <summary>The largest page_size of the paged calls (ListAllowedDevices, ListAuditEvents).</summary>
    [Range(1, 100_000)]
    public int MaxPageSize { get; set; } = 1_000;

    /// <summary>The largest request message gRPC accepts; Kestrel's request body limit follows it.</summary>
    [Range(64 * 1024, 64 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Nodes in one PutNodes (bulk import).</summary>
    [Range(1, 100_000)]
    public int MaxNodesPerWrite { get; set; } = 1_000;

    /// <summary>
    /// Records in one ImportAccount stream (the account's and the end's included): the import holds them all in
    /// memory to store them in one transaction, about 1 KB each.
    /// </summary>
    [Range(2, 10_000_000)]
    public int MaxImportRecords { get; set; } = 1_000_000;

    /// <summary>
    /// Bytes of records (their protobuf size) in one ImportAccount stream: with <see cref="MaxImportRecords"/>, what
    /// one import may hold (records of up to <see cref="MaxMessageBytes"/> each would pass the count alone). Held
    /// parsed, they take about three times this on the heap. The default takes a 1,000,000-device account's export
    /// (~150 MB) with room.
    /// </summary>
    [Range(1024, 16L * 1024 * 1024 * 1024)]
    public long MaxImportBytes { get; set; } = 256L * 1024 * 1024;

    [Range(1, 10_000)]
    public int MaxPoliciesPerRole { get; set; } = 100;

    [Range(1, 10_000)]
    public int MaxResourcesPerPolicy { get; set; } = 100;

    /// <summary>
    /// WatchRevocations streams one caller may hold open at once (RESOURCE_EXHAUSTED beyond). The caller is the
    /// configured caller the token names; without configured callers every (loopback) call is the same caller,
    /// so this caps the process.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxWatchStreamsPerCaller { get; set; } = 1_000;

    /// <summary>
    /// Revocations that may wait for one WatchRevocations reader; one more ends its stream with RESOURCE_EXHAUSTED
    /// naming the last revision sent, to resume from.
    /// </summary>
    [Range(1, 100_000)]
    public int WatchBufferEvents { get; set; } = 256;

    /// <summary>
    /// Users a dry run's impact lists at most (the first by user id); beyond, it says truncated and how many. 100
    /// keeps the answer within a client's default 4 MB even when each changes on every device permission.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxImpactUsers { get; set; } = 100;
}
