using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.FunctionalTests;

/// <summary>The Prometheus scrape port beside the gRPC port, and the spans of admin writes, on the real server.</summary>
/// <remarks>
/// Alone: OpenTelemetry picks meters by name, so a server's MeterProvider would also take the "Qbee.Authz" meter of
/// every other server in this process, and lose its streams when one of them stops. One server per process in
/// production; here, no other test runs beside these.
/// </remarks>
[Collection(nameof(TelemetryTests))]
public sealed class TelemetryTests
{
    private static readonly string Device1 = Fleet.DeviceId(1);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Metrics_AfterChecks_AreScrapedOnThePrometheusPort(bool kestrelEndpoints)
    {
        var port = FreePort();
        var settings = new Dictionary<string, string?> { ["Authz:Telemetry:PrometheusPort"] = $"{port}" };
        if (kestrelEndpoints)
        {
            // Configured endpoints replace the urls: the scrape endpoint must join them instead.
            settings["Kestrel:Endpoints:Grpc:Url"] = "http://127.0.0.1:0";
        }

        await using var server = await AuthzServer.StartAsync(settings);
        await SeedAsync(server, "scraped");
        await server.Authz.CheckAsync(new CheckRequest { UserId = "scraped-owner", Permission = "device:read", DeviceId = Device1 });
        await server.Authz.CheckAsync(new CheckRequest { UserId = "nobody", Permission = "device:read", DeviceId = Device1 });
        using var http = new HttpClient();

        var response = await http.GetAsync($"http://127.0.0.1:{port}/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("qbee_authz_checks", text);
        Assert.Matches("qbee_authz_checks_total\\{[^}]*reason=\"DECISION_REASON_GRANTED\"[^}]*\\} 1", text);
        Assert.Matches("qbee_authz_checks_total\\{[^}]*reason=\"DECISION_REASON_USER_NOT_FOUND\"[^}]*\\} 1", text);
        Assert.Contains("qbee_authz_check_duration_seconds_bucket", text);
        Assert.Matches("qbee_authz_snapshot_revision\\{[^}]*account_id=\"scraped\"", text);
        Assert.Contains("qbee_authz_snapshot_rebuild_duration_seconds", text);
        Assert.Contains("qbee_authz_audit_queue_depth", text);
        Assert.Contains("dotnet_gc_collections", text); // the runtime instrumentation
    }

    [Fact]
    public async Task GrpcPort_DoesNotServeMetrics_AndMetricsPortServesNothingElse()
    {
        var port = FreePort();
        await using var server = await AuthzServer.StartAsync(new Dictionary<string, string?> { ["Authz:Telemetry:PrometheusPort"] = $"{port}" });
        using var h2c = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var http = new HttpClient();

        Assert.Equal(HttpStatusCode.NotFound, (await h2c.GetAsync($"{server.Address}/metrics")).StatusCode);
        // Not even when the Host header names the scrape port: the connection's port decides.
        using var spoofed = new HttpRequestMessage(HttpMethod.Get, $"{server.Address}/metrics") { Headers = { Host = $"127.0.0.1:{port}" } };
        var answer = await h2c.SendAsync(spoofed);
        Assert.False(answer.IsSuccessStatusCode, $"/metrics on the gRPC port answered {answer.StatusCode}");
        Assert.DoesNotContain("qbee_authz", await answer.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"http://127.0.0.1:{port}/")).StatusCode);

        using var post = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/qbee.authz.v1.AuthorizationService/Check")
        {
            Content = new ByteArrayContent([0, 0, 0, 0, 0]) { Headers = { { "Content-Type", "application/grpc" } } },
        };
        var overHttp1 = await http.SendAsync(post);
        Assert.False(overHttp1.IsSuccessStatusCode, $"gRPC over the scrape port answered {overHttp1.StatusCode}");

        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            new AuthorizationService.AuthorizationServiceClient(channel).CheckAsync(new CheckRequest { UserId = "u", Permission = "audit:read" }).ResponseAsync);
        Assert.NotEqual(StatusCode.OK, error.StatusCode);
    }

    [Fact]
    public async Task PrometheusPort_NonLoopbackWithoutCallers_StillRefusesToStart()
    {
        var settings = new Dictionary<string, string?> { ["Authz:Telemetry:PrometheusPort"] = $"{FreePort()}" };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            AuthzServer.StartAsync(settings, hooks: new ServerHooks(Url: "http://0.0.0.0:0")));

        Assert.Contains("Refusing to start", error.Message);
    }

    [Theory]
    [InlineData("Authz:Telemetry:PrometheusPort", "70000", "PrometheusPort")]
    [InlineData("Authz:Telemetry:OtlpEndpoint", "collector:4317", "OtlpEndpoint")]
    public async Task BadTelemetrySetting_StopsTheStart(string key, string value, string named)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => AuthzServer.StartAsync(new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(named, error.Message);
    }

    [Fact]
    public async Task OtlpEndpoint_WithNoCollector_ServesChecksAsUsual()
    {
        // Nothing listens there: the exporter's failures stay in the background.
        await using var server = await AuthzServer.StartAsync(new Dictionary<string, string?> { ["Authz:Telemetry:OtlpEndpoint"] = $"http://127.0.0.1:{FreePort()}" });
        await SeedAsync(server, "otlp");

        var answer = await server.Authz.CheckAsync(new CheckRequest { UserId = "otlp-owner", Permission = "device:read", DeviceId = Device1 });

        Assert.True(answer.Allowed);
    }

    [Fact]
    public async Task AdminWrite_ProducesOneSpanWithTheAccountAndRevision_AndARebuildSpanUnderIt()
    {
        var accountId = $"traced-{Guid.NewGuid():N}"[..20];
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Qbee.Authz",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var server = await AuthzServer.StartAsync();

        var created = await server.Admin.CreateAccountAsync(Fleet.Account(accountId, $"{accountId}-owner"));

        var ours = stopped.Where(a => Equals(a.GetTagItem("qbee_authz.account_id"), accountId)).ToList();
        var write = Assert.Single(ours, a => a.OperationName == "admin.create_account");
        Assert.Equal((long)created.Revision, write.GetTagItem("qbee_authz.revision"));
        Assert.Equal(ActivityStatusCode.Ok, write.Status);
        var rebuild = Assert.Single(ours, a => a.OperationName == "snapshot.rebuild");
        Assert.Equal(write.SpanId, rebuild.ParentSpanId);
        Assert.Equal("sql", rebuild.GetTagItem("qbee_authz.source"));
        Assert.Equal((long)created.Revision, rebuild.GetTagItem("qbee_authz.revision"));
        Assert.NotNull(rebuild.GetTagItem("qbee_authz.devices"));

        await Assert.ThrowsAsync<RpcException>(() => server.Admin.CreateAccountAsync(Fleet.Account(accountId, $"{accountId}-owner")).ResponseAsync);
        var refused = stopped.Where(a => Equals(a.GetTagItem("qbee_authz.account_id"), accountId) && a.OperationName == "admin.create_account").Last();
        Assert.Equal(ActivityStatusCode.Error, refused.Status);
    }

    private static async Task SeedAsync(AuthzServer server, string accountId)
    {
        await server.Admin.CreateAccountAsync(Fleet.Account(accountId, $"{accountId}-owner"));
        await server.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(accountId, Device1, "root") });
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}

[CollectionDefinition(nameof(TelemetryTests), DisableParallelization = true)]
public sealed class TelemetryTestsCollection;
