using Grpc.Core;
using Microsoft.Data.Sqlite;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.FunctionalTests;

/// <summary>
/// The audit store stops taking events (another connection holds SQLite's write lock): connect checks fail
/// closed, every other check keeps answering, GetStatus says so, and all comes back by itself.
/// </summary>
public sealed class AuditStoreOutageTests : IAsyncLifetime
{
    private const string Acme = "acme";
    private static readonly string Device1 = Fleet.DeviceId(1);
    private AuthzServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await AuthzServer.StartAsync(new Dictionary<string, string?> { ["Authz:Audit:CommitTimeout"] = "00:00:03" });
        await _server.Admin.CreateAccountAsync(Fleet.Account(Acme, "olivia"));
        await _server.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Device1, "") });
        await _server.Admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Acme, NodeId = "root", Setting = RemoteAccessSetting.Enabled });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Check_StoreWriteLocked_ConnectUnavailableOthersAnswerThenRecovers()
    {
        Assert.True((await ConnectAsync(TimeSpan.FromSeconds(10))).Allowed);

        await using (var holder = new SqliteConnection($"Data Source={Path.Combine(_server.DataDirectory, "authz.db")};Pooling=False"))
        {
            await holder.OpenAsync();
            await using var write = holder.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: the write lock

            // A deadline the store's busy wait (5 s) would overrun: the answer still comes within it.
            var refused = await Assert.ThrowsAsync<RpcException>(() => ConnectAsync(TimeSpan.FromSeconds(4)));
            Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
            Assert.Equal("audit store unavailable", refused.Status.Detail);

            var read = await _server.Authz.CheckAsync(new CheckRequest { UserId = "olivia", Permission = "device:read", DeviceId = Device1 });
            Assert.True(read.Allowed, read.Message);

            var status = await _server.Admin.GetStatusAsync(new GetStatusRequest());
            Assert.Equal("unavailable", status.Audit.State);
            Assert.Contains("audit store unavailable since", status.Audit.Detail);

            // Known to be failing: the next one is refused without waiting for a commit.
            var next = await Assert.ThrowsAsync<RpcException>(() => ConnectAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal(StatusCode.Unavailable, next.StatusCode);

            await write.RollbackAsync();
        }

        await WaitUntilGrantedAsync();
        Assert.Equal("ok", (await _server.Admin.GetStatusAsync(new GetStatusRequest())).Audit.State);
    }

    [Fact]
    public async Task CheckBatch_StoreWriteLocked_BatchWithAConnectUnavailableBatchWithoutAnswers()
    {
        var connect = new CheckRequest
        {
            UserId = "olivia", Permission = "remote-access:connect", DeviceId = Device1,
            RemoteAccess = new RemoteAccess { Action = RemoteAccessAction.Console },
        };
        var read = new CheckRequest { UserId = "olivia", Permission = "device:read", DeviceId = Device1 };

        await using (var holder = new SqliteConnection($"Data Source={Path.Combine(_server.DataDirectory, "authz.db")};Pooling=False"))
        {
            await holder.OpenAsync();
            await using var write = holder.BeginTransaction(deferred: false);

            var refused = await Assert.ThrowsAsync<RpcException>(() =>
                _server.Authz.CheckBatchAsync(new CheckBatchRequest { Checks = { read, connect } }, deadline: DateTime.UtcNow.AddSeconds(4)).ResponseAsync);
            Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
            var reads = await _server.Authz.CheckBatchAsync(new CheckBatchRequest { Checks = { read, read } });
            Assert.All(reads.Results, r => Assert.True(r.Allowed));

            await write.RollbackAsync();
        }

        await WaitUntilGrantedAsync();
        var both = await _server.Authz.CheckBatchAsync(new CheckBatchRequest { Checks = { read, connect } }, deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.All(both.Results, r => Assert.True(r.Allowed, r.Message));
    }

    private async Task WaitUntilGrantedAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                Assert.True((await ConnectAsync(TimeSpan.FromSeconds(10))).Allowed);
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100); // the writer retries on its own back-off
            }
        }
    }

    private Task<CheckResponse> ConnectAsync(TimeSpan deadline) =>
        _server.Authz.CheckAsync(
            new CheckRequest { UserId = "olivia", Permission = "remote-access:connect", DeviceId = Device1, RemoteAccess = new RemoteAccess { Action = RemoteAccessAction.Console } },
            deadline: DateTime.UtcNow + deadline).ResponseAsync;
}
