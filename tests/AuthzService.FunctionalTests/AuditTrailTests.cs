using Google.Protobuf.WellKnownTypes;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.FunctionalTests;

public sealed class AuditTrailTests : IAsyncLifetime
{
    private const string Acme = "acme";
    private static readonly string Device1 = Fleet.DeviceId(1);
    private static readonly string Device2 = Fleet.DeviceId(2);
    private AuthzServer _server = null!;

    public async Task InitializeAsync()
    {
        // In memory: 20,000 connect checks wait on audit commits, and a loaded disk's slow fsync would refuse them.
        _server = await AuthzServer.StartAsync(dataDirectory: MemoryBackedDirectory.New());
        await _server.Admin.CreateAccountAsync(Fleet.Account(Acme, "olivia"));
        await _server.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "bob", "default") });
        await _server.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Device1, "") });
        await _server.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Device2, "") });
        await _server.Admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Acme, NodeId = "root", Setting = RemoteAccessSetting.Enabled });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ListAuditEvents_FiltersByUserByDeviceAndSince()
    {
        await ConnectAsync("olivia", Device1);
        await ConnectAsync("bob", Device1);
        await _server.RestartAsync();
        var since = DateTimeOffset.UtcNow;
        await Task.Delay(20);
        await ConnectAsync("bob", Device2);
        await _server.RestartAsync();

        var byUser = await ListAsync(new ListAuditEventsRequest { AccountId = Acme, UserId = "bob" });
        var byDevice = await ListAsync(new ListAuditEventsRequest { AccountId = Acme, DeviceId = Device1 });
        var bySince = await ListAsync(new ListAuditEventsRequest { AccountId = Acme, Since = Timestamp.FromDateTimeOffset(since) });
        var all = await ListAsync(new ListAuditEventsRequest { AccountId = Acme, UserId = "bob", DeviceId = Device1 });

        Assert.Equal([(Device2, "remote_access.check"), (Device1, "remote_access.check"), (string.Empty, "admin.put_user")],
            byUser.Select(e => (e.DeviceId, e.Kind)));
        Assert.Equal(["bob", "olivia", string.Empty], byDevice.Select(e => e.UserId));
        Assert.Equal([("bob", Device2)], bySince.Select(e => (e.UserId, e.DeviceId)));
        Assert.Equal([("bob", Device1)], all.Select(e => (e.UserId, e.DeviceId)));
    }

    [Fact]
    public async Task GracefulStop_UnderLoad_LosesNoDecision()
    {
        const int total = 20_000;
        const int workers = 16;
        var next = -1;
        var started = DateTime.UtcNow;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i < total)
            {
                await ConnectAsync(i % 2 == 0 ? "olivia" : "bob", i % 3 == 0 ? Device1 : Device2, i);
            }
        }));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromMinutes(3), "20k checks took too long");

        // Stop at once: whatever the writer has not written yet is still in its queue and must be drained.
        await _server.StopAppAsync();
        await _server.RestartAsync();

        var decisions = 0;
        var requestIds = new HashSet<string>(StringComparer.Ordinal);
        var page = new ListAuditEventsRequest { AccountId = Acme, PageSize = 1000 };
        while (true)
        {
            var answer = await _server.Admin.ListAuditEventsAsync(page);
            foreach (var e in answer.Events.Where(e => e.Kind == "remote_access.check"))
            {
                decisions++;
                requestIds.Add(e.RequestId);
            }

            if (answer.NextPageToken.Length == 0)
            {
                break;
            }

            page.PageToken = answer.NextPageToken;
        }

        Assert.Equal(total, decisions);
        Assert.Equal(total, requestIds.Count);
    }

    private Task<CheckResponse> ConnectAsync(string user, string device, int request = 0) =>
        _server.Authz.CheckAsync(
            new CheckRequest { UserId = user, Permission = "remote-access:connect", DeviceId = device, RemoteAccess = new RemoteAccess { Action = RemoteAccessAction.Console } },
            new global::Grpc.Core.Metadata { { "x-request-id", $"load-{request}" } }).ResponseAsync;

    private async Task<List<AuditEvent>> ListAsync(ListAuditEventsRequest request) =>
        (await _server.Admin.ListAuditEventsAsync(request)).Events.ToList();
}
