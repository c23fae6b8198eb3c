using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.Service.Telemetry;

namespace Qbee.Authz.Service.UnitTests.Audit;

/// <summary>The per-caller cap of WatchAuditEvents streams and the lag each open one reports (no store needed).</summary>
public sealed class AuditWatchersTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 18, 0, 0, TimeSpan.Zero);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new(Now);
    private readonly AuditWatchers _watchers;

    public AuditWatchersTests() =>
        _watchers = new AuditWatchers(store: null!, new AuditCommitSignal(), Options.Create(new AuditOptions { MaxWatchStreamsPerCaller = 2 }), _time);

    public void Dispose() => _services.Dispose();

    [Fact]
    public void Enter_OverTheCallersCap_IsRefusedUntilOneLeaves()
    {
        var first = _watchers.Enter("siem", "");
        using var second = _watchers.Enter("siem", "acme");

        var refused = _watchers.Enter("siem", "");
        using var otherCaller = _watchers.Enter("gateway", "");
        first!.Dispose();
        using var admitted = _watchers.Enter("siem", "");

        Assert.NotNull(second);
        Assert.Null(refused);
        Assert.NotNull(otherCaller);
        Assert.NotNull(admitted);
        Assert.Equal(3, _watchers.Lags().Count);
    }

    [Fact]
    public void Lags_PendingEvent_IsItsAgeAndZeroOnceCaughtUp()
    {
        using var behind = _watchers.Enter("siem", "acme")!;
        using var caughtUp = _watchers.Enter("siem", "")!;
        behind.PendingSince = Now - TimeSpan.FromSeconds(42);

        var lags = _watchers.Lags().ToDictionary(l => l.Watcher, l => l.LagSeconds);
        behind.PendingSince = null;

        Assert.Equal(42, lags[behind]);
        Assert.Equal(0, lags[caughtUp]);
        Assert.All(_watchers.Lags(), l => Assert.Equal(0, l.LagSeconds));
    }

    [Fact]
    public void WatchLagGauge_OpenStreams_ReportTheFarthestBehindPerCallerAndAccount()
    {
        var audit = new AuditQueue(Options.Create(new AuditOptions()), _time, NullLogger<AuditQueue>.Instance);
        var factory = _services.GetRequiredService<IMeterFactory>();
        _ = new AuthzMetrics(factory, new SnapshotGauges(new SnapshotRegistry(), null!, null!), new AuditGauges(audit, _watchers), _time);
        using var a = _watchers.Enter("siem", "acme")!;
        using var b = _watchers.Enter("siem", "acme")!;
        using var all = _watchers.Enter("gateway", "")!;
        a.PendingSince = Now - TimeSpan.FromSeconds(3);
        b.PendingSince = Now - TimeSpan.FromSeconds(7);
        var measured = new List<(double Value, string? Caller, string? Account)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Name == "qbee_authz.audit.watch.lag")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            var named = tags.ToArray().ToDictionary(t => t.Key, t => t.Value as string);
            measured.Add((value, named["caller"], named["account_id"]));
        });
        listener.Start();

        listener.RecordObservableInstruments();

        Assert.Equal([(7.0, "siem", "acme"), (0.0, "gateway", "*")], measured.OrderByDescending(m => m.Value));
    }
}
