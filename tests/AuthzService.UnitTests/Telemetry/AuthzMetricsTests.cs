using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Checks;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Grpc.Mapping;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.Service.Telemetry;
using Qbee.Authz.V1;
using DecisionReason = Qbee.Authz.Service.Domain.Evaluation.DecisionReason;

namespace Qbee.Authz.Service.UnitTests.Telemetry;

public sealed class AuthzMetricsTests : IDisposable
{
    private static readonly DateTimeOffset BuiltAt = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new(BuiltAt + TimeSpan.FromSeconds(90));
    private readonly SnapshotRegistry _registry = new();
    private readonly AuthzMetrics _metrics;
    private readonly CheckEngine _engine;
    private readonly SyncFreshness _freshness;

    public AuthzMetricsTests()
    {
        _registry.Publish(SnapshotCompiler.Compile(
            new AccountData(
                new Service.Domain.Model.AccountRecord("acme", "Acme", 7),
                [new RoleRecord("acme", "auditor", "Auditor", string.Empty, [new PolicyRecord("audit:read", [])])],
                [new UserRecord("acme", "bob", "bob@example.com", string.Empty, string.Empty, ["auditor"], UserState.Active)],
                [new NodeRecord("acme", "root", NodeKind.Group, string.Empty, string.Empty, [], false)],
                []),
            BuiltAt));
        var readiness = new Readiness();
        readiness.MarkReady();
        var audit = new AuditQueue(Options.Create(new AuditOptions()), _time, NullLogger<AuditQueue>.Instance);
        var redis = new RedisConnection(Options.Create(new SyncOptions()), NullLogger<RedisConnection>.Instance);
        _freshness = new SyncFreshness(_time, Options.Create(new StalenessOptions()), NullLogger<SyncFreshness>.Instance);
        _metrics = new AuthzMetrics(_services.GetRequiredService<IMeterFactory>(), new SnapshotGauges(_registry, _freshness, redis), new AuditGauges(audit), _time);
        // The store is asked only about unknown users at a min_revision, which these checks never are.
        _engine = new CheckEngine(new UserResolver(_registry, readiness, store: null!), audit, _time, _metrics);
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task Check_Granted_CountsAllowedWithTheReasonAndTimesIt()
    {
        using var recorder = new Recorder(_services);

        await Check("bob", "audit:read");

        var check = Assert.Single(recorder.Measurements, m => m.Instrument == "qbee_authz.checks");
        Assert.Equal(1, check.Value);
        Assert.Equal("allowed", check.Tags["result"]);
        Assert.Equal("DECISION_REASON_GRANTED", check.Tags["reason"]);
        Assert.Equal("check", check.Tags["method"]);
        var duration = Assert.Single(recorder.Measurements, m => m.Instrument == "qbee_authz.check.duration");
        Assert.InRange(duration.Value, 0, 10);
        Assert.Equal("check", duration.Tags["method"]);
    }

    [Theory]
    [InlineData("bob", "device:manage", "DECISION_REASON_PERMISSION_NOT_GRANTED")]
    [InlineData("nobody", "audit:read", "DECISION_REASON_USER_NOT_FOUND")]
    public async Task Check_Denied_CountsDeniedWithTheReason(string user, string permission, string reason)
    {
        using var recorder = new Recorder(_services);

        await Check(user, permission);

        var check = Assert.Single(recorder.Measurements, m => m.Instrument == "qbee_authz.checks");
        Assert.Equal("denied", check.Tags["result"]);
        Assert.Equal(reason, check.Tags["reason"]);
        Assert.Equal("check", check.Tags["method"]);
    }

    [Fact]
    public async Task CheckBatch_CountsEachCheckAndTimesTheBatchOnce()
    {
        using var recorder = new Recorder(_services);
        var batch = new CheckBatchRequest();
        batch.Checks.Add(new CheckRequest { UserId = "bob", Permission = "audit:read" });
        batch.Checks.Add(new CheckRequest { UserId = "bob", Permission = "device:manage" });

        await _engine.CheckBatchAsync(CheckMapping.ToChecks(batch, new LimitsOptions().MaxBatch), new AuditContext("test", string.Empty), DateTime.MaxValue, CancellationToken.None);

        var checks = recorder.Measurements.Where(m => m.Instrument == "qbee_authz.checks").ToList();
        Assert.Equal(["allowed", "denied"], checks.Select(c => c.Tags["result"]));
        Assert.All(checks, c => Assert.Equal("check_batch", c.Tags["method"]));
        Assert.Single(recorder.Measurements, m => m.Instrument == "qbee_authz.check.duration");
    }

    [Fact]
    public async Task CheckApiCall_UnknownRoute_CountsTheReasonUnderItsMethod()
    {
        using var recorder = new Recorder(_services);

        await _engine.CheckApiCallAsync(CheckMapping.ToApiCall(new CheckApiCallRequest { UserId = "bob", Method = "GET", Path = "/api/v2/no-such-thing" }), CancellationToken.None);

        var check = Assert.Single(recorder.Measurements, m => m.Instrument == "qbee_authz.checks");
        Assert.Equal("DECISION_REASON_API_CALL_UNKNOWN", check.Tags["reason"]);
        Assert.Equal("check_api_call", check.Tags["method"]);
    }

    [Fact]
    public void Failed_CountsTheCallWithItsMethodAndCode()
    {
        using var recorder = new Recorder(_services);

        _metrics.Failed("/qbee.authz.v1.AdminService/GetNode", "NOT_FOUND");

        var error = Assert.Single(recorder.Measurements, m => m.Instrument == "qbee_authz.errors");
        Assert.Equal(1, error.Value);
        Assert.Equal("/qbee.authz.v1.AdminService/GetNode", error.Tags["method"]);
        Assert.Equal("NOT_FOUND", error.Tags["code"]);
    }

    [Fact]
    public void ReasonLabel_EveryReason_IsTheContractName()
    {
        foreach (var reason in Enum.GetValues<DecisionReason>())
        {
            var contract = typeof(V1.DecisionReason).GetField(reason.ToProto().ToString())!;
            var name = contract.GetCustomAttributes(typeof(Google.Protobuf.Reflection.OriginalNameAttribute), false)
                .Cast<Google.Protobuf.Reflection.OriginalNameAttribute>().Single().Name;

            Assert.Equal(name, AuthzMetrics.ReasonLabel(reason));
        }
    }

    [Fact]
    public void StartCheck_NobodyListens_ReadsNoClock()
    {
        Assert.Equal(0, _metrics.StartCheck());
    }

    [Fact]
    public void Gauges_ReportEachAccountsRevisionAndAgeAndTheAuditQueue()
    {
        using var recorder = new Recorder(_services);

        recorder.Listener.RecordObservableInstruments();

        var revision = Assert.Single(recorder.Measurements, m => m.Instrument == "qbee_authz.snapshot.revision");
        Assert.Equal(7, revision.Value);
        Assert.Equal("acme", revision.Tags["account_id"]);
        var age = Assert.Single(recorder.Measurements, m => m.Instrument == "qbee_authz.snapshot.age");
        Assert.Equal(90, age.Value);
        Assert.Equal(0, Assert.Single(recorder.Measurements, m => m.Instrument == "qbee_authz.audit.queue.depth").Value);
        Assert.DoesNotContain(recorder.Measurements, m => m.Instrument == "qbee_authz.redis.connected"); // no Redis configured
    }

    [Fact]
    public void ObservableGauges_AccountsConfirmedAtDifferentTimes_ReportTheOldestConfirmationAge()
    {
        using var recorder = new Recorder(_services);
        _freshness.Confirmed("acme");
        _time.Advance(TimeSpan.FromSeconds(40));
        _freshness.Confirmed("globex");
        _time.Advance(TimeSpan.FromSeconds(5));

        recorder.Listener.RecordObservableInstruments();

        Assert.Equal(45, Assert.Single(recorder.Measurements, m => m.Instrument == "qbee_authz.sync.oldest_confirmation_age").Value);
    }

    [Fact]
    public void SnapshotRebuilt_RecordsTheSource()
    {
        using var recorder = new Recorder(_services);

        _metrics.SnapshotRebuilt(RebuildSource.Redis, TimeSpan.FromMilliseconds(250));

        var rebuild = Assert.Single(recorder.Measurements, m => m.Instrument == "qbee_authz.snapshot.rebuild.duration");
        Assert.Equal(0.25, rebuild.Value);
        Assert.Equal("redis", rebuild.Tags["source"]);
    }

    [Fact]
    public void SnapshotRebuilt_Patched_RecordsSourcePatch()
    {
        using var recorder = new Recorder(_services);

        _metrics.SnapshotRebuilt(RebuildSource.Patch, TimeSpan.FromMilliseconds(2));

        var rebuild = Assert.Single(recorder.Measurements, m => m.Instrument == "qbee_authz.snapshot.rebuild.duration");
        Assert.Equal("patch", rebuild.Tags["source"]);
    }

    [Fact]
    public void Checked_WithAListener_AllocatesNothing()
    {
        long total = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == _services.GetRequiredService<IMeterFactory>())
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => total += value);
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => total++);
        listener.Start();

        var allocated = AllocatedBy(() => _metrics.Checked(CheckMethod.Check, allowed: false, DecisionReason.DeviceOutOfScope, _metrics.StartCheck()));

        Assert.Equal(0, allocated);
        Assert.True(total > 0);
    }

    [Fact]
    public void Checked_ExportedThroughTheOpenTelemetrySdk_AllocatesNothing()
    {
        using var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(AuthzMetrics.MeterName)
            .AddReader(new BaseExportingMetricReader(new NullExporter()))
            .Build();

        var allocated = AllocatedBy(() => _metrics.Checked(CheckMethod.CheckApiCall, allowed: true, DecisionReason.Granted, _metrics.StartCheck()));

        Assert.Equal(0, allocated);
    }

    private static long AllocatedBy(Action record)
    {
        for (var i = 0; i < 1_000; i++)
        {
            record(); // warm up: JIT, and the SDK's first point for these tags
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            record();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private async Task Check(string user, string permission) =>
        await _engine.CheckAsync(CheckMapping.ToCheck(new CheckRequest { UserId = user, Permission = permission }), context: default, DateTime.MaxValue, CancellationToken.None);

    private sealed class NullExporter : BaseExporter<Metric>
    {
        public override ExportResult Export(in Batch<Metric> batch) => ExportResult.Success;
    }

    /// <summary>Every measurement of this test's own meter (other tests run in parallel with theirs).</summary>
    private sealed class Recorder : IDisposable
    {
        public Recorder(IServiceProvider services)
        {
            var factory = services.GetRequiredService<IMeterFactory>();
            Listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == factory)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            Listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
            Listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
            Listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
            Listener.Start();
        }

        public MeterListener Listener { get; } = new();

        public List<(string Instrument, double Value, Dictionary<string, string?> Tags)> Measurements { get; } = [];

        public void Dispose() => Listener.Dispose();

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, string?>();
            foreach (var (key, tag) in tags)
            {
                copy[key] = tag?.ToString();
            }

            lock (Measurements)
            {
                Measurements.Add((instrument.Name, value, copy));
            }
        }
    }
}
