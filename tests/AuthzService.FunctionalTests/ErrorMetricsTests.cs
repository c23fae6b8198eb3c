using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Qbee.Authz.V1;
using TokenCommand = Qbee.Authz.Service.Security.TokenCommand;

namespace Qbee.Authz.Service.FunctionalTests;

/// <summary>
/// <c>qbee_authz.errors</c> counts every call answered with an error status once, wherever the status comes from:
/// the caller check at the door, an RpcException a service throws (a watch refused or ended), the deadline. Scraped
/// from the Prometheus port of a real server.
/// </summary>
/// <remarks>In <see cref="TelemetryTests"/>'s collection: one MeterProvider per process (see there).</remarks>
[Collection(nameof(TelemetryTests))]
public sealed class ErrorMetricsTests : IAsyncLifetime
{
    private const string Check = "/qbee.authz.v1.AuthorizationService/Check";
    private const string WatchRevocations = "/qbee.authz.v1.AuthorizationService/WatchRevocations";
    private static readonly (string Token, string Hash) Gateway = TokenCommand.NewToken();
    private static readonly (string Token, string Hash) Ops = TokenCommand.NewToken();

    private AuthzServer _server = null!;
    private int _port;

    private static Metadata AsGateway => new() { { "authorization", $"Bearer {Gateway.Token}" } };

    private static Metadata AsOps => new() { { "authorization", $"Bearer {Ops.Token}" } };

    public async Task InitializeAsync()
    {
        _port = FreePort();
        _server = await AuthzServer.StartAsync(new Dictionary<string, string?>
        {
            ["Authz:Telemetry:PrometheusPort"] = $"{_port}",
            ["Authz:Callers:0:Name"] = "gateway",
            ["Authz:Callers:0:TokenSha256"] = Gateway.Hash,
            ["Authz:Callers:0:Scopes:0"] = "check",
            ["Authz:Callers:1:Name"] = "ops-console",
            ["Authz:Callers:1:TokenSha256"] = Ops.Hash,
            ["Authz:Callers:1:Scopes:0"] = "admin",
            ["Authz:Callers:1:Scopes:1"] = "check",
            ["Authz:Limits:MaxWatchStreamsPerCaller"] = "1",
        });
        await _server.Admin.CreateAccountAsync(Fleet.Account("acme", "olivia"), AsOps);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Errors_RefusedAtAdmission_AreCountedOnceByMethodAndCode()
    {
        var anonymous = await Assert.ThrowsAsync<RpcException>(() =>
            _server.Authz.CheckAsync(new CheckRequest { UserId = "olivia", Permission = "audit:read" }).ResponseAsync);
        var checkOnly = await Assert.ThrowsAsync<RpcException>(() =>
            _server.Admin.CreateAccountAsync(Fleet.Account("globex", "gus"), AsGateway).ResponseAsync);

        var text = await ScrapeAsync();

        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, checkOnly.StatusCode);
        Assert.Equal(1, ErrorCount(text, Check, "UNAUTHENTICATED"));
        Assert.Equal(1, ErrorCount(text, "/qbee.authz.v1.AdminService/CreateAccount", "PERMISSION_DENIED"));
        Assert.Equal(2, ErrorTotal(text));
    }

    [Fact]
    public async Task Errors_WatchRefusedOverTheCallersStreamLimit_AreCountedAsResourceExhausted()
    {
        using var open = _server.Authz.WatchRevocations(new WatchRevocationsRequest { AccountId = "acme" }, AsGateway);
        await open.ResponseHeadersAsync.WaitAsync(TimeSpan.FromSeconds(10)); // it holds the caller's one stream

        using var refused = _server.Authz.WatchRevocations(new WatchRevocationsRequest { AccountId = "acme" }, AsGateway);
        var error = await Assert.ThrowsAsync<RpcException>(() => refused.ResponseStream.MoveNext(CancellationToken.None));
        var text = await ScrapeAsync();

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal(1, ErrorCount(text, WatchRevocations, "RESOURCE_EXHAUSTED"));
        Assert.Equal(1, ErrorTotal(text));
    }

    [Fact]
    public async Task Errors_MinRevisionWaitPastTheDeadline_AreCountedOnceAsDeadlineExceeded()
    {
        var current = await _server.Authz.CheckAsync(new CheckRequest { UserId = "olivia", Permission = "audit:read" }, AsGateway);
        var ahead = new CheckRequest { UserId = "olivia", Permission = "audit:read", MinRevision = current.Revision + 1000 };

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _server.Authz.CheckAsync(ahead, AsGateway, deadline: DateTime.UtcNow.AddMilliseconds(300)).ResponseAsync);
        // The deadline answers the caller before the handler's wait unwinds: its count may come just after.
        var text = await ScrapeUntilAsync(t => ErrorTotal(t) > 0);

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Equal(1, ErrorCount(text, Check, "DEADLINE_EXCEEDED"));
        Assert.Equal(1, ErrorTotal(text));
    }

    [Fact]
    public async Task Errors_WatchEndedAsTheServiceStops_AreCountedAsUnavailable()
    {
        using var watch = _server.Authz.WatchRevocations(new WatchRevocationsRequest { AccountId = "acme" }, AsGateway);
        await watch.ResponseHeadersAsync.WaitAsync(TimeSpan.FromSeconds(10));
        var next = watch.ResponseStream.MoveNext(CancellationToken.None);

        // Stopping begins (every watch ends); the host is stopped only at dispose, so its scrape port still answers.
        _server.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        var error = await Assert.ThrowsAsync<RpcException>(() => next.WaitAsync(TimeSpan.FromSeconds(10)));
        var text = await ScrapeAsync();

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(1, ErrorCount(text, WatchRevocations, "UNAVAILABLE"));
        Assert.Equal(1, ErrorTotal(text));
    }

    /// <summary>The value of <c>qbee_authz_errors_total</c> for one method and code in a scrape; 0 when absent.</summary>
    private static long ErrorCount(string exposition, string method, string code) =>
        ErrorLines(exposition).Where(l => l.Contains($"method=\"{method}\"", StringComparison.Ordinal) && l.Contains($"code=\"{code}\"", StringComparison.Ordinal))
            .Sum(Value);

    private static long ErrorTotal(string exposition) => ErrorLines(exposition).Sum(Value);

    private static IEnumerable<string> ErrorLines(string exposition) =>
        exposition.Split('\n').Where(l => l.StartsWith("qbee_authz_errors_total{", StringComparison.Ordinal));

    // "name{labels} value [timestamp]"
    private static long Value(string line) =>
        long.Parse(line[(line.LastIndexOf('}') + 2)..].Split(' ')[0], NumberStyles.Integer, CultureInfo.InvariantCulture);

    private async Task<string> ScrapeAsync()
    {
        using var http = new HttpClient();
        return await http.GetStringAsync($"http://127.0.0.1:{_port}/metrics");
    }

    /// <summary>Scrapes until <paramref name="done"/> holds, at most 10 s; the last scrape either way.</summary>
    private async Task<string> ScrapeUntilAsync(Func<string, bool> done)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var text = await ScrapeAsync();
            if (done(text) || deadline.IsCancellationRequested)
            {
                return text;
            }

            await Task.Delay(100, CancellationToken.None);
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
