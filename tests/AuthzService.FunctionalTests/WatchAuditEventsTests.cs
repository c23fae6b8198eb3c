using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.FunctionalTests;

/// <summary>
/// AdminService.WatchAuditEvents through gRPC against the real server. The poll interval is ten minutes, so every
/// event that arrives within a test's timeout was woken by this replica's commit (the writer's batch or an admin write).
/// </summary>
public sealed class WatchAuditEventsTests : IAsyncLifetime
{
    private const string Acme = "acme";
    private const string Globex = "globex";
    private const int MaxStreams = 2;
    private static readonly string Device1 = Fleet.DeviceId(1);
    private AuthzServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await AuthzServer.StartAsync(new Dictionary<string, string?>
        {
            ["Authz:Audit:WatchPollInterval"] = "00:10:00",
            ["Authz:Audit:MaxWatchStreamsPerCaller"] = MaxStreams.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await _server.Admin.CreateAccountAsync(Fleet.Account(Acme, "olivia"));
        await _server.Admin.CreateAccountAsync(Fleet.Account(Globex, "gina"));
        await _server.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Device1, "") });
        await _server.Admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Acme, NodeId = "root", Setting = RemoteAccessSetting.Enabled });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task WatchAuditEvents_FromZero_StoredEventsInIdOrderThenEachAsItCommits()
    {
        await ConnectAsync();
        using var watch = _server.Admin.WatchAuditEvents(new WatchAuditEventsRequest());

        var stored = await ReadAsync(watch, 5); // 2 accounts, a device, a setting, a decision
        var decision = ConnectAsync();
        var live = await ReadAsync(watch, 1);
        await decision;

        Assert.Equal(stored.Select(e => e.EventId).Order(), stored.Select(e => e.EventId));
        Assert.Equal(1, stored[0].EventId);
        Assert.Equal(["admin.create_account", "admin.create_account"], stored.Take(2).Select(e => e.Kind));
        Assert.Contains(stored, e => e.Kind == "remote_access.check" && e.UserId == "olivia" && e.Allowed);
        Assert.Equal("remote_access.check", live[0].Kind);
        Assert.True(live[0].EventId > stored[^1].EventId);
    }

    [Fact]
    public async Task WatchAuditEvents_OneAccount_OnlyItsEventsAndAnAdminWriteWakesIt()
    {
        using var watch = _server.Admin.WatchAuditEvents(new WatchAuditEventsRequest { AccountId = Globex });
        var first = await ReadAsync(watch, 1);

        var put = _server.Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Globex, "auditors", ("audit:read", [])) });
        await _server.Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "auditors", ("audit:read", [])) });
        var next = await ReadAsync(watch, 1);
        await put;

        Assert.Equal((Globex, "admin.create_account"), (first[0].AccountId, first[0].Kind));
        Assert.Equal((Globex, "admin.put_role"), (next[0].AccountId, next[0].Kind));
    }

    [Fact]
    public async Task WatchAuditEvents_ResumedAfterTheLastIdReceived_RepeatsAndMissesNothing()
    {
        await ConnectAsync();
        List<AuditEvent> firstPart;
        using (var watch = _server.Admin.WatchAuditEvents(new WatchAuditEventsRequest()))
        {
            firstPart = await ReadAsync(watch, 3);
        }

        await ConnectAsync();
        using var resumed = _server.Admin.WatchAuditEvents(new WatchAuditEventsRequest { AfterEventId = firstPart[^1].EventId });
        var rest = await ReadAsync(resumed, 3);
        var all = await _server.Admin.ListAuditEventsAsync(new ListAuditEventsRequest { AccountId = Acme, PageSize = 100 });

        Assert.Equal(firstPart[^1].EventId + 1, rest[0].EventId);
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), firstPart.Concat(rest).Select(e => e.EventId));
        Assert.Equal(2, firstPart.Concat(rest).Count(e => e.Kind == "remote_access.check"));
        Assert.Equal(2, all.Events.Count(e => e.Kind == "remote_access.check"));
    }

    [Fact]
    public async Task WatchAuditEvents_RetentionDeletedEventsAfterTheId_IsFailedPrecondition()
    {
        await ConnectAsync();
        var store = _server.Services.GetRequiredService<IAuthzStore>();
        await store.DeleteAuditEventsBeforeAsync(DateTimeOffset.UtcNow.AddDays(1), 1_000, CancellationToken.None);
        await ConnectAsync();

        using var behind = _server.Admin.WatchAuditEvents(new WatchAuditEventsRequest { AfterEventId = 1 });
        var error = await Assert.ThrowsAsync<RpcException>(() => behind.ResponseStream.MoveNext(Timeout()));
        using var fromTheOldest = _server.Admin.WatchAuditEvents(new WatchAuditEventsRequest());
        var left = await ReadAsync(fromTheOldest, 1);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("deleted by retention", error.Status.Detail);
        Assert.Equal("remote_access.check", left[0].Kind);
    }

    [Fact]
    public async Task WatchAuditEvents_AnIdThisStoreNeverIssued_IsFailedPreconditionNotASilentWait()
    {
        await ConnectAsync();

        using var ahead = _server.Admin.WatchAuditEvents(new WatchAuditEventsRequest { AfterEventId = 1_000_000 });
        var error = await Assert.ThrowsAsync<RpcException>(() => ahead.ResponseStream.MoveNext(Timeout()));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.StartsWith("after_event_id 1000000 is beyond the last audit event id this store issued", error.Status.Detail);
    }

    [Theory]
    [InlineData("bad id!", 0, StatusCode.InvalidArgument, "account_id")]
    [InlineData("", -1, StatusCode.InvalidArgument, "after_event_id")]
    [InlineData("nosuch", 0, StatusCode.NotFound, "account nosuch")]
    public async Task WatchAuditEvents_BadRequest_IsRefusedNamingIt(string account, long after, StatusCode code, string detail)
    {
        using var watch = _server.Admin.WatchAuditEvents(new WatchAuditEventsRequest { AccountId = account, AfterEventId = after });

        var error = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(Timeout()));

        Assert.Equal(code, error.StatusCode);
        Assert.StartsWith(detail, error.Status.Detail);
    }

    [Fact]
    public async Task WatchAuditEvents_OverTheCallersCap_IsResourceExhaustedUntilOneCloses()
    {
        var open = new List<AsyncServerStreamingCall<AuditEvent>>();
        for (var i = 0; i < MaxStreams; i++)
        {
            open.Add(_server.Admin.WatchAuditEvents(new WatchAuditEventsRequest()));
            await open[^1].ResponseHeadersAsync.WaitAsync(Timeout());
        }

        using var refused = _server.Admin.WatchAuditEvents(new WatchAuditEventsRequest());
        var error = await Assert.ThrowsAsync<RpcException>(() => refused.ResponseStream.MoveNext(Timeout()));
        var lags = _server.Services.GetRequiredService<AuditWatchers>().Lags();
        open[0].Dispose();
        await Eventually.HoldsAsync(() => _server.Services.GetRequiredService<AuditWatchers>().Lags().Count < MaxStreams);
        using var admitted = _server.Admin.WatchAuditEvents(new WatchAuditEventsRequest());

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal(MaxStreams, lags.Count);
        Assert.NotEmpty(await ReadAsync(admitted, 1));
        open[1].Dispose();
    }

    [Fact]
    public async Task WatchAuditEvents_ServiceStopping_EndsUnavailableNamingWhereToResume()
    {
        using var watch = _server.Admin.WatchAuditEvents(new WatchAuditEventsRequest());
        var read = await ReadAsync(watch, 4);
        var next = watch.ResponseStream.MoveNext(Timeout());
        await Eventually.HoldsAsync(() => _server.Services.GetRequiredService<AuditWatchers>().Lags() is [{ LagSeconds: 0 }]);

        _server.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        var error = await Assert.ThrowsAsync<RpcException>(() => next);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains($"after_event_id {read[^1].EventId}", error.Status.Detail);
    }

    private async Task ConnectAsync()
    {
        var answer = await _server.Authz.CheckAsync(new CheckRequest { UserId = "olivia", Permission = "remote-access:connect", DeviceId = Device1 });
        Assert.True(answer.Allowed, answer.Message);
    }

    private static async Task<List<AuditEvent>> ReadAsync(AsyncServerStreamingCall<AuditEvent> watch, int count)
    {
        var events = new List<AuditEvent>();
        while (events.Count < count && await watch.ResponseStream.MoveNext(Timeout()))
        {
            events.Add(watch.ResponseStream.Current);
        }

        Assert.Equal(count, events.Count);
        return events;
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;
}
