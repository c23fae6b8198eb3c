using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.Logging;
using Qbee.Authz.V1;
using StackExchange.Redis;

namespace Qbee.Authz.Service.FunctionalTests;

/// <summary>Two replicas, one SQL store, one real redis-server: they agree, start from Redis, and survive it.</summary>
public sealed class MultiReplicaTests : IAsyncLifetime
{
    private const string Acme = "acme";
    private const int LoadedFromEvent = 35;
    private const int ChangeSetsAppliedEvent = 40;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly List<AuthzServer> _servers = [];
    private RedisServer _redis = null!;
    private string _sharedData = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _sharedData = Path.Combine(Path.GetTempPath(), "qbee-authz-tests", Guid.NewGuid().ToString("N"));
    }

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task WriteOnOneReplica_IsVisibleOnTheOther_ThroughTheChangeMessage()
    {
        // Polling every 10 minutes: only the Redis change message can bring the write across in time.
        var a = await ReplicaAsync(pollInterval: "00:10:00");
        var b = await ReplicaAsync(pollInterval: "00:10:00");
        await a.Admin.CreateAccountAsync(Fleet.Account(Acme, "olivia"));
        await a.Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "auditor", ("audit:read", [])) });
        var write = await a.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "bob", "auditor") });

        var answer = await b.Authz.CheckAsync(
            new CheckRequest { UserId = "bob", Permission = "audit:read", MinRevision = write.Revision }, deadline: DateTime.UtcNow + Deadline);

        Assert.True(answer.Allowed);
        Assert.Equal(write.Revision, answer.Revision);
    }

    [Fact]
    public async Task ListDeviceUsers_DeviceAloneJustCreatedOnTheOther_AtItsRevision_IsPlacedByTheStoreAndWaitedFor()
    {
        var a = await ReplicaAsync(pollInterval: "00:10:00");
        var b = await ReplicaAsync(pollInterval: "00:10:00");
        await a.Admin.CreateAccountAsync(Fleet.Account(Acme, "olivia"));
        var write = await a.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Fleet.DeviceId(1), "") });

        // Asked at once: b may not have the change message yet, so it may not know the device.
        var answer = await b.Authz.ListDeviceUsersAsync(
            new ListDeviceUsersRequest { DeviceId = Fleet.DeviceId(1), Permission = "device:read", MinRevision = write.Revision },
            deadline: DateTime.UtcNow + Deadline);

        Assert.Equal(write.Revision, answer.Revision);
        Assert.Equal(["olivia"], answer.Users.Select(u => u.UserId));
    }

    [Fact]
    public async Task WritesOnOneReplica_TheOtherPatchesWithTheirChangeSets_WithoutLoadingTheAccount()
    {
        var a = await ReplicaAsync(pollInterval: "00:10:00");
        var events = new EventCollector();
        var b = await ReplicaAsync(pollInterval: "00:10:00", events: events);
        await a.Admin.CreateAccountAsync(Fleet.Account(Acme, "olivia"));
        await a.Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "auditor", ("audit:read", [])) });
        var seen = await b.Authz.CheckAsync(new CheckRequest { UserId = "olivia", Permission = "audit:read", MinRevision = 2 }, deadline: DateTime.UtcNow + Deadline);
        var loadsBefore = events.Lines.Count(l => l.EventId == LoadedFromEvent && l.Message.EndsWith("from SQL", StringComparison.Ordinal));

        PutUserResponse write = null!;
        foreach (var user in new[] { "bob", "carol", "dave" })
        {
            write = await a.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, user, "auditor") });
        }

        var answer = await b.Authz.CheckAsync(
            new CheckRequest { UserId = "dave", Permission = "audit:read", MinRevision = write.Revision }, deadline: DateTime.UtcNow + Deadline);

        Assert.Equal(2ul, seen.Revision);
        Assert.True(answer.Allowed);
        Assert.Equal(write.Revision, answer.Revision);
        Assert.Contains(events.Lines, l => l.EventId == ChangeSetsAppliedEvent && l.Message.Contains($"now at {write.Revision} ", StringComparison.Ordinal));
        Assert.Equal(loadsBefore, events.Lines.Count(l => l.EventId == LoadedFromEvent && l.Message.EndsWith("from SQL", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ReplicaStartedAfterManyWrites_StartsFromTheCompactedSnapshot_AndFollowsByChangeSets()
    {
        var a = await ReplicaAsync(pollInterval: "00:10:00");
        await a.Admin.CreateAccountAsync(Fleet.Account(Acme, "olivia"));
        for (var i = 1; i <= 30; i++)
        {
            await a.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Fleet.DeviceId(i), "") });
        }

        var events = new EventCollector();
        var b = await ReplicaAsync(pollInterval: "00:10:00", events: events);
        var write = await a.Admin.DeleteNodeAsync(new DeleteNodeRequest { AccountId = Acme, NodeId = Fleet.DeviceId(30) });
        var answer = await b.Authz.CheckAsync(
            new CheckRequest { UserId = "olivia", Permission = "device:read", DeviceId = Fleet.DeviceId(30), MinRevision = write.Revision },
            deadline: DateTime.UtcNow + Deadline);
        var present = await b.Authz.CheckAsync(new CheckRequest { UserId = "olivia", Permission = "device:read", DeviceId = Fleet.DeviceId(29) });

        Assert.Equal(DecisionReason.DeviceNotFound, answer.Reason);
        Assert.True(present.Allowed);
        Assert.Contains(events.Lines, l => l.EventId == LoadedFromEvent && l.Message.EndsWith("from Redis", StringComparison.Ordinal));
        Assert.DoesNotContain(events.Lines, l => l.EventId == LoadedFromEvent && l.Message.EndsWith("from SQL", StringComparison.Ordinal));
        Assert.Contains(events.Lines, l => l.EventId == ChangeSetsAppliedEvent && l.Message.Contains($"now at {write.Revision} ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReplicaOnAStoreWithoutTheAccount_DoesNotServeItFromRedis()
    {
        var a = await ReplicaAsync();
        await a.Admin.CreateAccountAsync(Fleet.Account(Acme, "olivia"));
        await a.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Fleet.DeviceId(1), "") });

        var b = await ReplicaAsync(dataDirectory: Path.Combine(Path.GetTempPath(), "qbee-authz-tests", Guid.NewGuid().ToString("N")));

        var answer = await b.Authz.CheckAsync(new CheckRequest { UserId = "olivia", Permission = "device:read", DeviceId = Fleet.DeviceId(1) });
        Assert.False(answer.Allowed);
        Assert.Equal(DecisionReason.UserNotFound, answer.Reason);
        Assert.DoesNotContain((await b.Admin.GetStatusAsync(new GetStatusRequest())).Accounts, s => s.AccountId == Acme);
    }

    [Fact]
    public async Task StoreRestoredFromAnOlderCopy_RedisAhead_ServesTheStoreAndAWriteIsVisibleAtItsRevision()
    {
        var a = await ReplicaAsync();
        await a.Admin.CreateAccountAsync(Fleet.Account(Acme, "olivia"));
        await a.Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "auditor", ("audit:read", [])) });
        await a.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "bob", "auditor") });
        await a.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Fleet.DeviceId(1), "") });
        var atFive = await a.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Fleet.DeviceId(2), "") });
        Assert.Equal(5ul, atFive.Revision);
        await a.StopAppAsync();
        var copy = CopyData(_sharedData);
        await a.RestartAsync(Settings("00:00:01"));
        for (var i = 3; i < 13; i++)
        {
            await a.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Fleet.DeviceId(i), "") });
        }

        var onA = await a.Authz.CheckAsync(new CheckRequest { UserId = "bob", Permission = "audit:read", MinRevision = 15 }, deadline: DateTime.UtcNow + Deadline);
        Assert.Equal(15ul, onA.Revision);
        await a.StopAppAsync();

        var b = await ReplicaAsync(dataDirectory: copy);
        var deleted = await b.Admin.DeleteUserAsync(new DeleteUserRequest { AccountId = Acme, UserId = "bob" });
        var answer = await b.Authz.CheckAsync(
            new CheckRequest { UserId = "bob", Permission = "audit:read", MinRevision = deleted.Revision }, deadline: DateTime.UtcNow + Deadline);
        var olivia = await b.Authz.CheckAsync(new CheckRequest { UserId = "olivia", Permission = "device:read", DeviceId = Fleet.DeviceId(12) });

        Assert.Equal(6ul, deleted.Revision);
        Assert.False(answer.Allowed);
        Assert.Equal(DecisionReason.UserNotFound, answer.Reason);
        Assert.Equal(DecisionReason.DeviceNotFound, olivia.Reason); // device 12 exists only in the other history
        Assert.Equal(6ul, olivia.Revision);
        var account = Assert.Single((await b.Admin.GetStatusAsync(new GetStatusRequest())).Accounts);
        Assert.Equal((6ul, 6ul), (account.Revision, account.SnapshotRevision));
        var head = await RedisHeadAsync(Acme);
        Assert.StartsWith("6:", head, StringComparison.Ordinal); // Redis rewritten to the store's history
    }

    [Fact]
    public async Task RedisKilledAndRestarted_ChecksKeepAnswering_AndReplicasConvergeBeforeAndAfter()
    {
        var a = await ReplicaAsync(pollInterval: "00:00:00.200");
        var b = await ReplicaAsync(pollInterval: "00:00:00.200");
        await a.Admin.CreateAccountAsync(Fleet.Account(Acme, "olivia"));
        await a.Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "auditor", ("audit:read", [])) });

        await _redis.KillAsync();
        var whileDown = await a.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "bob", "auditor") });
        var seenWhileDown = await b.Authz.CheckAsync(
            new CheckRequest { UserId = "bob", Permission = "audit:read", MinRevision = whileDown.Revision }, deadline: DateTime.UtcNow + Deadline);
        var statusWhileDown = await b.Admin.GetStatusAsync(new GetStatusRequest());
        var healthWhileDown = await new Health.HealthClient(b.Channel).CheckAsync(new HealthCheckRequest { Service = "qbee.authz.v1.AuthorizationService" });

        await _redis.RestartAsync();
        await WaitForRedisAsync(a);
        await WaitForRedisAsync(b);
        var afterRestart = await a.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "carol", "auditor") });
        var seenAfterRestart = await b.Authz.CheckAsync(
            new CheckRequest { UserId = "carol", Permission = "audit:read", MinRevision = afterRestart.Revision }, deadline: DateTime.UtcNow + Deadline);

        Assert.True(seenWhileDown.Allowed);
        Assert.Equal("down", statusWhileDown.Redis.State);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, healthWhileDown.Status);
        Assert.True(seenAfterRestart.Allowed);
        Assert.Equal(afterRestart.Revision, seenAfterRestart.Revision);
    }

    [Fact]
    public async Task WatchRevocations_OnAnotherReplica_SeesTheRevocation()
    {
        var a = await ReplicaAsync(pollInterval: "00:10:00");
        var b = await ReplicaAsync(pollInterval: "00:10:00");
        await a.Admin.CreateAccountAsync(Fleet.Account(Acme, "olivia"));
        var user = await a.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "bob", "default") });
        await b.Authz.CheckAsync(new CheckRequest { UserId = "bob", Permission = "audit:read", MinRevision = user.Revision }, deadline: DateTime.UtcNow + Deadline);
        using var watch = b.Authz.WatchRevocations(new WatchRevocationsRequest { AccountId = Acme, AfterRevision = user.Revision });
        var next = watch.ResponseStream.MoveNext(new CancellationTokenSource(Deadline).Token);

        var deleted = await a.Admin.DeleteUserAsync(new DeleteUserRequest { AccountId = Acme, UserId = "bob" });

        Assert.True(await next);
        Assert.Equal(deleted.Revision, watch.ResponseStream.Current.Revision);
        Assert.Equal(["bob"], watch.ResponseStream.Current.UserIds);
    }

    [Fact]
    public async Task ImportWithReplaceOnOneReplica_TheOtherPatchesWithItsChangeSet_AndAnswersAlike()
    {
        var a = await ReplicaAsync(pollInterval: "00:10:00");
        var events = new EventCollector();
        var b = await ReplicaAsync(pollInterval: "00:10:00", events: events);
        var device = Fleet.DeviceId(1);
        await a.Admin.CreateAccountAsync(Fleet.Account(Acme, "olivia"));
        await a.Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "reader", ("device:read", ["tag:lab"])) });
        await a.Admin.PutUsersAsync(new PutUsersRequest { AccountId = Acme, Users = { Fleet.User(Acme, "bob", "reader"), Fleet.User(Acme, "carol", "reader") } });
        await a.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(Acme, "site") });
        var put = await a.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, device, "site", "lab") });
        await b.Authz.CheckAsync(new CheckRequest { UserId = "carol", Permission = "device:read", MinRevision = put.Revision }, deadline: DateTime.UtcNow + Deadline);
        var loadsBefore = events.Lines.Count(l => l.EventId == LoadedFromEvent && l.Message.EndsWith("from SQL", StringComparison.Ordinal));

        // The backup without carol, with the device's tag gone and the group deleted: a replace that deletes and moves.
        var records = new List<AccountRecord>();
        using (var export = a.Admin.ExportAccount(new ExportAccountRequest { AccountId = Acme, Replace = true }))
        {
            await foreach (var record in export.ResponseStream.ReadAllAsync())
            {
                if (record.User?.UserId != "carol" && record.Node?.NodeId != "site" && record.RecordCase != AccountRecord.RecordOneofCase.End)
                {
                    records.Add(record);
                }
            }
        }

        var moved = records.Single(r => r.Node?.NodeId == device).Node;
        moved.Tags.Clear();
        moved.ParentId = "";
        records.Add(new AccountRecord
        {
            End = new ImportCounts
            {
                Roles = records.Count(r => r.Role is not null),
                Users = records.Count(r => r.User is not null),
                Nodes = records.Count(r => r.Node is not null),
                RemoteAccess = records.Count(r => r.RemoteAccess is not null),
            },
        });
        using var import = a.Admin.ImportAccount();
        foreach (var record in records)
        {
            await import.RequestStream.WriteAsync(record);
        }

        await import.RequestStream.CompleteAsync();
        var revision = (await import).Revision;

        var bob = await b.Authz.CheckAsync(
            new CheckRequest { UserId = "bob", Permission = "device:read", DeviceId = device, MinRevision = revision }, deadline: DateTime.UtcNow + Deadline);
        var carol = await b.Authz.CheckAsync(new CheckRequest { UserId = "carol", Permission = "device:read", DeviceId = device });
        var node = await a.Admin.GetNodeAsync(new GetNodeRequest { AccountId = Acme, NodeId = device });

        Assert.Equal((DecisionReason.DeviceOutOfScope, revision), (bob.Reason, bob.Revision));
        Assert.Equal(DecisionReason.UserNotFound, carol.Reason);
        Assert.Equal("unassigned_group", node.Node.ParentId);
        Assert.Contains(events.Lines, l => l.EventId == ChangeSetsAppliedEvent && l.Message.Contains($"now at {revision} ", StringComparison.Ordinal));
        Assert.Equal(loadsBefore, events.Lines.Count(l => l.EventId == LoadedFromEvent && l.Message.EndsWith("from SQL", StringComparison.Ordinal)));
    }

    private async Task<AuthzServer> ReplicaAsync(string pollInterval = "00:00:01", string? dataDirectory = null, EventCollector? events = null)
    {
        var hooks = events is null ? null : new ServerHooks(Configure: builder => builder.Logging.AddProvider(events).SetMinimumLevel(LogLevel.Debug));
        var server = await AuthzServer.StartAsync(Settings(pollInterval), dataDirectory ?? _sharedData, hooks);
        _servers.Add(server);
        return server;
    }

    private Dictionary<string, string?> Settings(string pollInterval) => new()
    {
        ["Authz:Redis:Configuration"] = $"{_redis.Configuration},connectTimeout=2000,connectRetry=1",
        ["Authz:Redis:PollInterval"] = pollInterval,
        ["Authz:Sync:MaxStaleness"] = "01:00:00", // some poll only every 10 minutes
    };

    /// <summary>A backup of a stopped replica's store: the SQLite file with its write-ahead log.</summary>
    private static string CopyData(string dataDirectory)
    {
        var copy = Path.Combine(Path.GetTempPath(), "qbee-authz-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(dataDirectory, "authz.db*"))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        return copy;
    }

    private async Task<string> RedisHeadAsync(string accountId)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration);
        return (await connection.GetDatabase().StringGetAsync($"qbee-authz:account:{accountId}:head")).ToString();
    }

    /// <summary>Waits (bounded) until the replica says its Redis connection is back.</summary>
    private static async Task WaitForRedisAsync(AuthzServer server)
    {
        var until = DateTime.UtcNow + Deadline;
        while ((await server.Admin.GetStatusAsync(new GetStatusRequest())).Redis.State != "ok")
        {
            Assert.True(DateTime.UtcNow < until, "the replica did not reconnect to Redis in time");
            await Task.Delay(50);
        }
    }
}
