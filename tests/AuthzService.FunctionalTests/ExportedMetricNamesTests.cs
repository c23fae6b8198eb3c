using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Grpc.Core;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.FunctionalTests;

/// <summary>
/// The dashboard and the alert and recording rules of deploy/observability read only metrics the service really
/// exports: a real server with its Prometheus port and Redis, driven through checks, writes, an error and an audit
/// watch, is scraped, and every name they use must be in the scrape.
/// </summary>
/// <remarks>In <see cref="TelemetryTests"/>'s collection: one MeterProvider per process (see there).</remarks>
[Collection(nameof(TelemetryTests))]
public sealed class ExportedMetricNamesTests : IAsyncLifetime
{
    private static readonly string Device1 = Fleet.DeviceId(1);
    private RedisServer _redis = null!;
    private AuthzServer _server = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _port = FreePort();
        _server = await AuthzServer.StartAsync(new Dictionary<string, string?>
        {
            ["Authz:Telemetry:PrometheusPort"] = $"{_port}",
            ["Authz:Redis:Configuration"] = _redis.Configuration,
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task DashboardAndRules_EveryMetricTheyRead_IsExportedByTheService()
    {
        var used = new SortedSet<string>(ObservabilityKit.MetricNamesIn(ObservabilityKit.DashboardPath));
        used.UnionWith(ObservabilityKit.MetricNamesIn(Path.Combine(ObservabilityKit.PrometheusDirectory, "recording.rules.yml")));
        used.UnionWith(ObservabilityKit.MetricNamesIn(Path.Combine(ObservabilityKit.PrometheusDirectory, "alerts.rules.yml")));
        Assert.True(used.Count >= 15, $"only {used.Count} metric names found in deploy/observability: {string.Join(", ", used)}");

        await DriveAsync();
        using var watch = _server.Admin.WatchAuditEvents(new WatchAuditEventsRequest { AccountId = "scraped" });
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None)); // the stream is open and registered

        var exported = await ScrapeUntilAsync(names => used.IsSubsetOf(names));

        Assert.Empty(used.Except(exported));
    }

    [Fact]
    public async Task Errors_NotFound_AreCountedByMethodAndCanonicalCode()
    {
        await DriveAsync();

        var text = await ScrapeAsync();

        Assert.Matches("qbee_authz_errors_total\\{[^}]*code=\"NOT_FOUND\"[^}]*method=\"/qbee.authz.v1.AdminService/GetNode\"[^}]*\\} 1", text);
    }

    [Fact]
    public void Dashboard_EveryPanel_ReadsTheChosenPrometheusAndFiltersByJobAndInstance()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(ObservabilityKit.DashboardPath));
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() != "row").ToList();

        Assert.True(panels.Count >= 15, $"{panels.Count} panels");
        Assert.Equal("qbee-authz", dashboard.RootElement.GetProperty("uid").GetString());
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        foreach (var panel in panels)
        {
            var title = panel.GetProperty("title").GetString();
            Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                Assert.Contains("job=~\"$job\", instance=~\"$instance\"", target.GetProperty("expr").GetString(), StringComparison.Ordinal);
            }

            Assert.False(string.IsNullOrWhiteSpace(title));
        }
    }

    /// <summary>Every kind of call the dashboard shows: writes (snapshot rebuilds), three check methods, a connect check (audited), an error.</summary>
    private async Task DriveAsync()
    {
        await _server.Admin.CreateAccountAsync(Fleet.Account("scraped", "scraped-owner"));
        await _server.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device("scraped", Device1, "root") });
        await _server.Admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = "scraped", NodeId = "root", Setting = RemoteAccessSetting.Enabled });
        await _server.Authz.CheckAsync(new CheckRequest { UserId = "scraped-owner", Permission = "device:read", DeviceId = Device1 });
        await _server.Authz.CheckAsync(new CheckRequest
        {
            UserId = "scraped-owner", Permission = "remote-access:connect", DeviceId = Device1,
            RemoteAccess = new RemoteAccess { Action = RemoteAccessAction.Console },
        });
        var batch = new CheckBatchRequest();
        batch.Checks.Add(new CheckRequest { UserId = "nobody", Permission = "device:read", DeviceId = Device1 });
        await _server.Authz.CheckBatchAsync(batch);
        await _server.Authz.CheckApiCallAsync(new CheckApiCallRequest { UserId = "scraped-owner", Method = "GET", Path = $"/api/v2/inventoryreport/{Device1}" });
        var missing = await Assert.ThrowsAsync<RpcException>(() => _server.Admin.GetNodeAsync(new GetNodeRequest { AccountId = "scraped", NodeId = "no-such-group" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    /// <summary>Scrapes until <paramref name="complete"/> holds for the names (observable gauges appear at a scrape), at most 10 s.</summary>
    private async Task<IReadOnlySet<string>> ScrapeUntilAsync(Func<IReadOnlySet<string>, bool> complete)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var names = Names(await ScrapeAsync());
            if (complete(names) || deadline.IsCancellationRequested)
            {
                return names;
            }

            await Task.Delay(100, CancellationToken.None);
        }
    }

    private async Task<string> ScrapeAsync()
    {
        using var http = new HttpClient();
        return await http.GetStringAsync($"http://127.0.0.1:{_port}/metrics");
    }

    private static HashSet<string> Names(string exposition) =>
        exposition.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => line[..line.IndexOfAny(['{', ' '])])
            .ToHashSet();

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
