using System.Diagnostics;
using System.Diagnostics.Metrics;
using Qbee.Authz.Service.Domain.Evaluation;
using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.Telemetry;

/// <summary>Which call a check came through: the <c>method</c> tag.</summary>
internal enum CheckMethod
{
    Check,
    CheckBatch,
    CheckApiCall,
}

/// <summary>Where a snapshot rebuild took its account from: the <c>source</c> tag.</summary>
internal enum RebuildSource
{
    Sql,
    Redis,

    /// <summary>Change sets applied onto the snapshot held.</summary>
    Patch,
}

/// <summary>
/// The service's instruments, on one Meter ("Qbee.Authz") made by the host's <see cref="IMeterFactory"/>.
/// Recording a check builds its tags from cached key/value pairs (no string, no boxing, at most three tags so
/// <see cref="TagList"/> keeps them inline) and reads the clock only while someone listens to the histogram.
/// </summary>
internal sealed class AuthzMetrics
{
    public const string MeterName = "Qbee.Authz";

    // From 10 µs (a check from memory) to 10 s (a min_revision wait bounded by the deadline).
    private static readonly double[] CheckBuckets =
        [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

    private static readonly double[] RebuildBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private static readonly KeyValuePair<string, object?> Allowed = new("result", "allowed");
    private static readonly KeyValuePair<string, object?> Denied = new("result", "denied");
    private static readonly KeyValuePair<string, object?> UnknownReason = new("reason", "unknown");
    private static readonly KeyValuePair<string, object?>[] ReasonTags = BuildReasonTags();
    private static readonly KeyValuePair<string, object?>[] MethodTags =
        [new("method", "check"), new("method", "check_batch"), new("method", "check_api_call")];

    private static readonly KeyValuePair<string, object?>[] SourceTags = [new("source", "sql"), new("source", "redis"), new("source", "patch")];

    private readonly Counter<long> _checks;
    private readonly Histogram<double> _checkDuration;
    private readonly Histogram<double> _rebuildDuration;
    private readonly Counter<long> _errors;

    public AuthzMetrics(
        IMeterFactory meterFactory, ISnapshotGauges snapshots, IAuditGauges audit, TimeProvider timeProvider)
    {
        var meter = meterFactory.Create(new MeterOptions(MeterName) { Version = typeof(AuthzMetrics).Assembly.GetName().Version?.ToString() });
        _checks = meter.CreateCounter<long>("qbee_authz.checks", "{check}", "Checks answered, by result, reason and method.");
        _checkDuration = meter.CreateHistogram(
            "qbee_authz.check.duration", "s", "Time to answer a check (a CheckBatch: the whole batch), a min_revision wait included.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = CheckBuckets });
        _rebuildDuration = meter.CreateHistogram(
            "qbee_authz.snapshot.rebuild.duration", "s", "Time to bring an account's snapshot to a new revision: load (Redis or SQL) and compile.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RebuildBuckets });

        _errors = meter.CreateCounter<long>("qbee_authz.errors", "{call}", "Calls answered with an error status (any but OK: refused at admission, translated, thrown by a service, past their deadline), each once, by gRPC method and status code.");

        meter.CreateObservableGauge("qbee_authz.snapshot.revision", () => Revisions(snapshots.Snapshots), "{revision}", "The revision each account's snapshot answers from.");
        meter.CreateObservableGauge("qbee_authz.snapshot.bytes", () => Sizes(snapshots.Snapshots), "By",
            "The estimated heap bytes of each account's snapshot held (what Authz:Snapshots:MemoryBudget counts).");
        meter.CreateObservableGauge("qbee_authz.snapshot.age", () => Ages(snapshots.Snapshots, timeProvider), "s", "Time since each account's snapshot was built.");
        meter.CreateObservableGauge("qbee_authz.audit.queue.depth", () => audit.QueueDepth, "{event}", "Audit events waiting for the writer.");
        meter.CreateObservableGauge(
            "qbee_authz.sync.oldest_confirmation_age", () => snapshots.OldestConfirmationAge.TotalSeconds, "s",
            "Time since the account confirmed longest ago was last confirmed current with the store (health turns NOT_SERVING past Authz:Sync:MaxStaleness).");
        meter.CreateObservableGauge("qbee_authz.audit.store.available", () => audit.StoreAvailable ? 1 : 0, null,
            "1 while the store takes audit events, 0 while it does not (remote-access:connect checks are refused).");
        meter.CreateObservableCounter("qbee_authz.audit.refused_checks", () => audit.RefusedChecks, "{check}",
            "remote-access:connect checks answered UNAVAILABLE because their audit event could not be committed.");
        meter.CreateObservableGauge("qbee_authz.audit.watch.lag", () => WatchLags(audit.WatchLags), "s",
            "How far behind the open WatchAuditEvents streams are, per caller and account (\"*\": every account): the age of the oldest event read and not yet sent; the farthest behind of a caller's streams of one account.");
        meter.CreateObservableGauge("qbee_authz.redis.connected", () => RedisConnected(snapshots), null, "1 when Redis is connected, 0 when down; absent without Redis.");
    }

    /// <summary>The start of a check's timing; 0 (and no clock read) when nobody listens to the duration.</summary>
    public long StartCheck() => _checkDuration.Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>One answered check; with <paramref name="started"/> from <see cref="StartCheck"/>, its duration too.</summary>
    public void Checked(CheckMethod method, bool allowed, DecisionReason reason, long started)
    {
        if (_checks.Enabled)
        {
            var tags = new TagList
            {
                allowed ? Allowed : Denied,
                (uint)reason < (uint)ReasonTags.Length ? ReasonTags[(int)reason] : UnknownReason,
                MethodTags[(int)method],
            };
            _checks.Add(1, in tags);
        }

        Timed(method, started);
    }

    /// <summary>The duration of a call that answered several checks (CheckBatch).</summary>
    public void Timed(CheckMethod method, long started)
    {
        if (started != 0)
        {
            _checkDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, MethodTags[(int)method]);
        }
    }

    /// <summary>A call answered with an error status: <paramref name="code"/> its canonical name (INVALID_ARGUMENT).</summary>
    public void Failed(string method, string code)
    {
        if (_errors.Enabled)
        {
            _errors.Add(1, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("code", code));
        }
    }

    public void SnapshotRebuilt(RebuildSource source, TimeSpan elapsed) =>
        _rebuildDuration.Record(elapsed.TotalSeconds, SourceTags[(int)source]);

    private static KeyValuePair<string, object?>[] BuildReasonTags()
    {
        var reasons = Enum.GetValues<DecisionReason>();
        var tags = new KeyValuePair<string, object?>[reasons.Max(r => (int)r) + 1];
        Array.Fill(tags, UnknownReason);
        foreach (var reason in reasons)
        {
            tags[(int)reason] = new("reason", ReasonLabel(reason));
        }

        return tags;
    }

    /// <summary>The label values are the contract's names, as grpcurl prints them.</summary>
    internal static string ReasonLabel(DecisionReason reason) => reason switch
    {
        DecisionReason.None => "DECISION_REASON_UNSPECIFIED",
        DecisionReason.Granted => "DECISION_REASON_GRANTED",
        DecisionReason.UserNotFound => "DECISION_REASON_USER_NOT_FOUND",
        DecisionReason.UserDisabled => "DECISION_REASON_USER_DISABLED",
        DecisionReason.DeviceNotFound => "DECISION_REASON_DEVICE_NOT_FOUND",
        DecisionReason.PermissionNotGranted => "DECISION_REASON_PERMISSION_NOT_GRANTED",
        DecisionReason.DeviceOutOfScope => "DECISION_REASON_DEVICE_OUT_OF_SCOPE",
        DecisionReason.ActionNotGranted => "DECISION_REASON_ACTION_NOT_GRANTED",
        DecisionReason.RemoteAccessDisabled => "DECISION_REASON_REMOTE_ACCESS_DISABLED",
        DecisionReason.ApiCallUnknown => "DECISION_REASON_API_CALL_UNKNOWN",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    private static IEnumerable<Measurement<long>> Revisions(IEnumerable<AccountSnapshot> snapshots) =>
        snapshots.Select(s => new Measurement<long>(s.Revision, new KeyValuePair<string, object?>("account_id", s.AccountId)));

    private static IEnumerable<Measurement<long>> Sizes(IEnumerable<AccountSnapshot> snapshots) =>
        snapshots.Select(s => new Measurement<long>(s.EstimatedBytes, new KeyValuePair<string, object?>("account_id", s.AccountId)));

    private static IEnumerable<Measurement<double>> Ages(IEnumerable<AccountSnapshot> snapshots, TimeProvider timeProvider)
    {
        var now = timeProvider.GetUtcNow();
        return snapshots.Select(s =>
            new Measurement<double>((now - s.BuiltAt).TotalSeconds, new KeyValuePair<string, object?>("account_id", s.AccountId)));
    }

    private static IEnumerable<Measurement<double>> WatchLags(IEnumerable<AuditWatchLag> lags) =>
        lags.GroupBy(l => (l.Caller, l.AccountId)).Select(g => new Measurement<double>(
            g.Max(l => l.Seconds),
            new KeyValuePair<string, object?>("caller", g.Key.Caller),
            new KeyValuePair<string, object?>("account_id", g.Key.AccountId.Length > 0 ? g.Key.AccountId : "*")));

    private static IEnumerable<Measurement<int>> RedisConnected(ISnapshotGauges snapshots) =>
        snapshots.RedisConnected is { } connected ? [new Measurement<int>(connected ? 1 : 0)] : [];
}
