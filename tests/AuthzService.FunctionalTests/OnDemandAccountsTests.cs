using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.FunctionalTests;

/// <summary>
/// Authz:Snapshots:Preload=None through gRPC: accounts load on their first check (one load however many wait),
/// are evicted least recently used past the budget (never pinned, never held), and stay exact while cold: a
/// revocation written elsewhere, a user created elsewhere, min_revision, a watch. Two replicas share one SQLite
/// file and a real redis-server: A holds everything and writes, B loads on demand.
/// </summary>
public sealed class OnDemandAccountsTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private static readonly string[] Accounts = ["alpha", "bravo", "charlie", "delta"];
    private readonly List<AuthzServer> _servers = [];
    private RedisServer _redis = null!;
    private string _sharedData = null!;
    private AuthzServer _writer = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _sharedData = Path.Combine(Path.GetTempPath(), "qbee-authz-tests", Guid.NewGuid().ToString("N"));
        _writer = await ReplicaAsync("All");
        var device = 0;
        foreach (var account in Accounts.Append("pinned"))
        {
            await _writer.Admin.CreateAccountAsync(Fleet.Account(account, $"{account}-owner"));
            await _writer.Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(account, "reader", ("device:read", [])) });
            await _writer.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(account, $"{account}-bob", "reader") });
            for (var i = 0; i < 20; i++)
            {
                await _writer.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(account, Fleet.DeviceId(++device), "") });
            }
        }
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
    public async Task Start_PreloadNone_HoldsNothing_ThenTheFirstCheckLoadsTheAccount()
    {
        var b = await ReplicaAsync("None");
        var cold = await StatusOfAsync(b, "alpha");

        var answer = await b.Authz.CheckAsync(new CheckRequest { UserId = "alpha-bob", Permission = "device:read" });

        var loaded = await StatusOfAsync(b, "alpha");
        Assert.False(cold.Loaded);
        Assert.Equal(0, cold.SnapshotBytes);
        Assert.True(answer.Allowed);
        Assert.True(loaded.Loaded);
        Assert.True(loaded.SnapshotBytes > 0);
        Assert.False((await StatusOfAsync(b, "bravo")).Loaded);
    }

    [Fact]
    public async Task ConcurrentFirstChecks_OfOneColdAccount_MakeOneLoad()
    {
        var b = await ReplicaAsync("None");
        var loader = b.Services.GetRequiredService<AccountLoader>();

        var answers = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => b.Authz.CheckAsync(
            new CheckRequest { UserId = i % 2 == 0 ? "bravo-bob" : "bravo-owner", Permission = "device:read" }).ResponseAsync));

        Assert.All(answers, a => Assert.True(a.Allowed));
        Assert.Equal(1, loader.Loads);
    }

    [Fact]
    public async Task SmallBudget_EvictsTheLeastRecentlyUsed_NeverThePinnedOne()
    {
        var size = await SizeOfOneAccountAsync();
        // The pinned account and two others fit, not three others.
        var b = await ReplicaAsync("pinned", budget: (long)(size * 3.5));

        await CheckAsync(b, "alpha");
        await CheckAsync(b, "bravo");
        await CheckAsync(b, "alpha"); // bravo is now the least recently used
        await CheckAsync(b, "charlie");

        Assert.True((await StatusOfAsync(b, "pinned")).Loaded);
        Assert.True((await StatusOfAsync(b, "alpha")).Loaded);
        Assert.False((await StatusOfAsync(b, "bravo")).Loaded);
        Assert.True((await StatusOfAsync(b, "charlie")).Loaded);
        Assert.Equal(1, b.Services.GetRequiredService<AccountLoader>().Evictions);
    }

    [Fact]
    public async Task AccountWithACheckWaiting_IsNotEvicted_AndTheCheckAnswers()
    {
        var b = await ReplicaAsync("None", budget: 1);
        var revision = (await _writer.Admin.ListRolesAsync(new ListRolesRequest { AccountId = "alpha" })).Revision;
        var waiting = b.Authz.CheckAsync(
            new CheckRequest { UserId = "alpha-bob", Permission = "device:read", MinRevision = revision + 1 }, deadline: DateTime.UtcNow + Deadline).ResponseAsync;
        var registry = b.Services.GetRequiredService<SnapshotRegistry>();
        await Eventually.HoldsAsync(() => registry.Slots.Any(s => s.AccountId == "alpha" && s.InFlight > 0 && s.Current is not null));

        await CheckAsync(b, "bravo");
        await CheckAsync(b, "charlie");
        var held = await StatusOfAsync(b, "alpha");
        var write = await _writer.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User("alpha", "alpha-carol", "reader") });

        Assert.True(held.Loaded);
        Assert.False((await StatusOfAsync(b, "bravo")).Loaded);
        var answer = await waiting;
        Assert.True(answer.Allowed);
        Assert.Equal(write.Revision, answer.Revision);
    }

    [Fact]
    public async Task RevocationWrittenWhileEvicted_TheNextCheckSeesIt()
    {
        var b = await ReplicaAsync("None", budget: 1);
        Assert.True((await CheckAsync(b, "alpha")).Allowed);
        await CheckAsync(b, "bravo"); // alpha evicted
        Assert.False((await StatusOfAsync(b, "alpha")).Loaded);

        await _writer.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User("alpha", "alpha-bob") });

        var answer = await CheckAsync(b, "alpha");
        Assert.False(answer.Allowed);
        Assert.Equal(DecisionReason.PermissionNotGranted, answer.Reason);
    }

    [Fact]
    public async Task MinRevision_OnAColdAccount_LoadsItThenWaits()
    {
        var b = await ReplicaAsync("None");
        var write = await _writer.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User("delta", "delta-carol", "reader") });

        var answer = await b.Authz.CheckAsync(
            new CheckRequest { UserId = "delta-carol", Permission = "device:read", MinRevision = write.Revision }, deadline: DateTime.UtcNow + Deadline);

        Assert.True(answer.Allowed);
        Assert.True(answer.Revision >= write.Revision);
    }

    [Fact]
    public async Task UserCreatedOnAnotherReplica_WhileItsAccountIsCold_ResolvesWithoutMinRevision()
    {
        var b = await ReplicaAsync("None");
        await _writer.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User("charlie", "charlie-dave", "reader") });
        var index = b.Services.GetRequiredService<UserAccountIndex>();
        await Eventually.HoldsAsync(() => index.TryFind("charlie-dave", out var account) && account == "charlie");

        var answer = await b.Authz.CheckAsync(new CheckRequest { UserId = "charlie-dave", Permission = "device:read" });

        Assert.True(answer.Allowed);
        Assert.True((await StatusOfAsync(b, "charlie")).Loaded);
    }

    [Fact]
    public async Task WatchRevocations_OnAColdAccount_LoadsAndHoldsIt_AndDeliversTheRevocation()
    {
        var b = await ReplicaAsync("None", budget: 1);
        var revision = (await _writer.Admin.ListRolesAsync(new ListRolesRequest { AccountId = "bravo" })).Revision;
        using var watch = b.Authz.WatchRevocations(new WatchRevocationsRequest { AccountId = "bravo", AfterRevision = revision });
        await watch.ResponseHeadersAsync;
        await CheckAsync(b, "alpha"); // over the budget, but bravo is held by its watch
        var next = watch.ResponseStream.MoveNext(new CancellationTokenSource(Deadline).Token);

        var write = await _writer.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User("bravo", "bravo-bob") });

        Assert.True(await next);
        Assert.Equal(write.Revision, watch.ResponseStream.Current.Revision);
        Assert.Contains("bravo-bob", watch.ResponseStream.Current.UserIds);
        Assert.True((await StatusOfAsync(b, "bravo")).Loaded);
    }

    [Fact]
    public async Task Check_UnknownUser_OnDemand_IsUserNotFound_WithoutLoadingAnything()
    {
        var b = await ReplicaAsync("None");

        var answer = await b.Authz.CheckAsync(new CheckRequest { UserId = "nobody", Permission = "device:read" });

        Assert.Equal(DecisionReason.UserNotFound, answer.Reason);
        Assert.Equal(0, b.Services.GetRequiredService<AccountLoader>().Loads);
    }

    [Fact]
    public async Task ListDeviceUsers_DeviceAloneOfAColdAccount_LoadsItsAccountAndLists()
    {
        var b = await ReplicaAsync("None");

        // Device 21 is bravo's first (20 devices an account, alpha first).
        var listed = await b.Authz.ListDeviceUsersAsync(new ListDeviceUsersRequest { DeviceId = Fleet.DeviceId(21), Permission = "device:read" });

        Assert.Equal(["bravo-bob", "bravo-owner"], listed.Users.Select(u => u.UserId).Order(StringComparer.Ordinal));
        Assert.True((await StatusOfAsync(b, "bravo")).Loaded);
        Assert.False((await StatusOfAsync(b, "alpha")).Loaded);
    }

    [Fact]
    public async Task ListDeviceUsers_DeviceAloneOfAnEvictedAccount_AtARevision_HoldsItWhileItWaits()
    {
        var b = await ReplicaAsync("None", budget: 1);
        await CheckAsync(b, "charlie");
        await CheckAsync(b, "delta");
        // The eviction runs after delta's load has answered: wait for it, so the listing below starts from nothing held.
        await Eventually.HoldsAsync(async () => !(await StatusOfAsync(b, "charlie")).Loaded);
        var write = await _writer.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User("charlie", "charlie-erin", "reader") });

        var listed = await b.Authz.ListDeviceUsersAsync(
            new ListDeviceUsersRequest { DeviceId = Fleet.DeviceId(41), Permission = "device:read", MinRevision = (ulong)write.Revision },
            deadline: DateTime.UtcNow + Deadline);

        Assert.Contains("charlie-erin", listed.Users.Select(u => u.UserId));
        Assert.True(listed.Revision >= (ulong)write.Revision);
    }

    [Fact]
    public async Task ListDeviceUsers_UnknownDevice_OnDemand_IsNotFoundWithoutLoading()
    {
        var b = await ReplicaAsync("None");

        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            b.Authz.ListDeviceUsersAsync(new ListDeviceUsersRequest { DeviceId = Fleet.DeviceId(999), Permission = "device:read" }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, refused.StatusCode);
        Assert.Contains($"device {Fleet.DeviceId(999)} not found", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(0, b.Services.GetRequiredService<AccountLoader>().Loads);
    }

    [Theory]
    [InlineData("All")]
    [InlineData("None")]
    public async Task ListDeviceUsers_UnknownAccountAtARevision_IsNotFound_AndLeavesNoSlot(string preload)
    {
        var b = preload == "All" ? _writer : await ReplicaAsync(preload);

        var refused = await Assert.ThrowsAsync<RpcException>(() => b.Authz.ListDeviceUsersAsync(
            new ListDeviceUsersRequest { AccountId = "nosuch", NodeId = "root", Permission = "device:read", MinRevision = 5 },
            deadline: DateTime.UtcNow + Deadline).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, refused.StatusCode);
        Assert.Contains("account nosuch not found", refused.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(b.Services.GetRequiredService<SnapshotRegistry>().Slots, s => s.AccountId == "nosuch");
    }

    [Fact]
    public async Task WatchRevocations_UnknownAccount_OnDemand_IsNotFound_AndLeavesNoSlot()
    {
        var b = await ReplicaAsync("None");

        using var watch = b.Authz.WatchRevocations(new WatchRevocationsRequest { AccountId = "nosuch" });
        var refused = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(new CancellationTokenSource(Deadline).Token));

        Assert.Equal(StatusCode.NotFound, refused.StatusCode);
        Assert.DoesNotContain(b.Services.GetRequiredService<SnapshotRegistry>().Slots, s => s.AccountId == "nosuch");
    }

    [Fact]
    public async Task Write_ToAColdAccount_PastTheBudget_EvictsTheLeastRecentlyUsed()
    {
        var b = await ReplicaAsync("None", budget: 1);
        await CheckAsync(b, "alpha");

        await b.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User("bravo", "bravo-frank", "reader") });

        Assert.True((await StatusOfAsync(b, "bravo")).Loaded);
        Assert.False((await StatusOfAsync(b, "alpha")).Loaded);
    }

    [Fact]
    public async Task DryRuns_OnAnAccountEvictedByOtherLoads_AreNeverAborted()
    {
        var b = await ReplicaAsync("None", budget: 1);
        using var stop = new CancellationTokenSource();
        // Checks on three other accounts, each a load that evicts every account not held.
        var churn = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await b.Authz.CheckAsync(new CheckRequest { UserId = $"{Accounts[1 + (i % 3)]}-bob", Permission = "device:read" });
            }
        });

        try
        {
            for (var i = 0; i < 20; i++)
            {
                var rehearsed = await b.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User("alpha", "alpha-bob"), DryRun = true });
                Assert.Contains(rehearsed.Impact.Users, u => u.UserId == "alpha-bob");
            }
        }
        finally
        {
            await stop.CancelAsync();
            await churn;
        }
    }

    private async Task<long> SizeOfOneAccountAsync()
    {
        await CheckAsync(_writer, "alpha");
        return (await StatusOfAsync(_writer, "alpha")).SnapshotBytes;
    }

    private static async Task<CheckResponse> CheckAsync(AuthzServer server, string account)
    {
        var answer = await server.Authz.CheckAsync(new CheckRequest { UserId = $"{account}-bob", Permission = "device:read" });

        // The LRU stamp has millisecond resolution: let the clock move so that the order of two checks is the order of their stamps.
        var now = Environment.TickCount64;
        await Eventually.HoldsAsync(() => Environment.TickCount64 > now + 1);
        return answer;
    }

    private static async Task<AccountStatus> StatusOfAsync(AuthzServer server, string account) =>
        (await server.Admin.GetStatusAsync(new GetStatusRequest())).Accounts.Single(a => a.AccountId == account);

    private async Task<AuthzServer> ReplicaAsync(string preload, long budget = 0)
    {
        var server = await AuthzServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["Authz:Redis:Configuration"] = $"{_redis.Configuration},connectTimeout=2000,connectRetry=1",
                ["Authz:Snapshots:Preload"] = preload,
                ["Authz:Snapshots:MemoryBudget"] = budget.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            _sharedData);
        _servers.Add(server);
        return server;
    }
}
