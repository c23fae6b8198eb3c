using Qbee.Authz.Client.Gateway;
using Qbee.Authz.V1;

namespace Qbee.Authz.Client.FunctionalTests;

/// <summary>WatchRevocations through the client, the decision cache it invalidates, and the remote-access guard.</summary>
public sealed class RevocationTests : IAsyncLifetime
{
    // A failure guard only: every wait below ends on an event, never on time.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private AuthzServer _server = null!;
    private ulong _seeded;

    public async Task InitializeAsync()
    {
        _server = await AuthzServer.StartAsync(hooks: new ServerHooks(Faults: new FaultInjector()));
        await using var seeding = new ClientHost(_server);
        _seeded = await Acme.SeedAsync(seeding.Admin);
        _server.Faults.Calls.Clear();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task WatchRevocationsAsync_RoleShrunk_YieldsTheUserAtTheWritesRevision()
    {
        await using var host = new ClientHost(_server);
        using var stop = new CancellationTokenSource(Patience);
        var revision = await host.Admin.PutRoleAsync(Acme.SupportRole("node:lab"));

        var first = await host.Client.WatchRevocationsAsync(Acme.Id, _seeded, stop.Token).FirstAsync(stop.Token);

        Assert.Equal(new Revocation(Acme.Id, revision, first.UserIds), first);
        Assert.Equal(["bob"], first.UserIds);
    }

    [Fact]
    public async Task WatchRevocationsAsync_StreamBreaks_ReconnectsAndResumesAfterTheLastRevision()
    {
        await using var host = new ClientHost(_server, o => o.WatchInitialBackoff = TimeSpan.FromMilliseconds(10));
        using var stop = new CancellationTokenSource(Patience);
        var shrunk = await host.Admin.PutRoleAsync(Acme.SupportRole("node:lab"));
        var disabled = await host.Admin.PutUserAsync(Acme.User("bob")); // and then no role at all
        _server.Faults.BreakStreamAfter("WatchRevocations", messages: 1);

        var revocations = await host.Client.WatchRevocationsAsync(Acme.Id, _seeded, stop.Token).Take(2).ToListAsync(stop.Token);

        Assert.Equal([shrunk, disabled], revocations.Select(r => r.Revision));
        Assert.All(revocations, r => Assert.Equal(["bob"], r.UserIds));
        Assert.Equal([_seeded, shrunk], _server.Faults.CallsOf("WatchRevocations").Select(c => c.Field<ulong>("after_revision")));
    }

    [Fact]
    public async Task WatchRevocationsAsync_Unavailable_KeepsReconnecting()
    {
        await using var host = new ClientHost(_server, o => (o.WatchInitialBackoff, o.MaxAttempts) = (TimeSpan.FromMilliseconds(10), 1));
        using var stop = new CancellationTokenSource(Patience);
        _server.Faults.Fail("WatchRevocations", Grpc.Core.StatusCode.Unavailable, times: 3);
        var revision = await host.Admin.PutRoleAsync(Acme.SupportRole("node:lab"));

        var first = await host.Client.WatchRevocationsAsync(Acme.Id, _seeded, stop.Token).FirstAsync(stop.Token);

        Assert.Equal(revision, first.Revision);
        Assert.Equal(4, _server.Faults.CallsOf("WatchRevocations").Count);
    }

    [Theory]
    [InlineData(Grpc.Core.StatusCode.NotFound)] // an account this replica has not loaded yet
    [InlineData(Grpc.Core.StatusCode.Unauthenticated)] // a token being rotated
    [InlineData(Grpc.Core.StatusCode.PermissionDenied)]
    [InlineData(Grpc.Core.StatusCode.InvalidArgument)]
    [InlineData(Grpc.Core.StatusCode.Internal)]
    public async Task WatchRevocationsAsync_Refused_KeepsRetryingUntilItConnects(Grpc.Core.StatusCode status)
    {
        await using var host = new ClientHost(_server, o => (o.WatchInitialBackoff, o.MaxAttempts) = (TimeSpan.FromMilliseconds(10), 1));
        using var stop = new CancellationTokenSource(Patience);
        _server.Faults.Fail("WatchRevocations", status, times: 3);
        var revision = await host.Admin.PutRoleAsync(Acme.SupportRole("node:lab"));

        var first = await host.Client.WatchRevocationsAsync(Acme.Id, _seeded, stop.Token).FirstAsync(stop.Token);

        Assert.Equal(revision, first.Revision);
        Assert.Equal(4, _server.Faults.CallsOf("WatchRevocations").Count);
    }

    [Fact]
    public async Task WatchRevocationsAsync_AccountNotYetCreated_YieldsOnceItExists()
    {
        await using var host = new ClientHost(_server, o => (o.WatchInitialBackoff, o.WatchMaxBackoff) = (TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50)));
        using var stop = new CancellationTokenSource(Patience);
        var later = new User { AccountId = "later", UserId = "lena", Email = "lena@example.com", FirstName = "Lena", LastName = "Test" };

        // After revision 1, the account's creation: what comes after it is replayed once the account exists.
        var first = host.Client.WatchRevocationsAsync("later", 1, stop.Token).FirstAsync(stop.Token).AsTask();
        await ClientHost.Until(() => _server.Faults.CallsOf("WatchRevocations").Count >= 2);
        var created = await host.Admin.CreateAccountAsync("later", "Later", later);
        later.RoleIds.Clear();
        var revoked = await host.Admin.PutUserAsync(Disabled(later));
        var revocation = await first.WaitAsync(Patience);

        Assert.Equal(1UL, created.Revision);
        Assert.Equal(revoked, revocation.Revision);
        Assert.Contains("lena", revocation.UserIds);
    }

    [Fact]
    public async Task DecisionCache_On_AnswersARepeatedCheckLocally()
    {
        await using var host = new ClientHost(_server, o => o.DecisionCache.Enabled = true);
        host.Client.RememberUserAccount("bob", Acme.Id);
        await host.ConnectWatchAsync(Acme.Id);

        var first = await host.Client.CheckAsync("bob", "device:read", Acme.Device1);
        var second = await host.Client.CheckAsync("bob", "device:read", Acme.Device1);
        var other = await host.Client.CheckAsync("bob", "device:read", Acme.Device2);

        Assert.Same(first, second);
        Assert.False(other.Allowed);
        Assert.Equal(2, _server.Faults.CallsOf("Check").Count);
    }

    [Fact]
    public async Task DecisionCache_Off_AsksEveryTime()
    {
        await using var host = new ClientHost(_server);
        host.Client.RememberUserAccount("bob", Acme.Id);

        await host.Client.CheckAsync("bob", "device:read", Acme.Device1);
        await host.Client.CheckAsync("bob", "device:read", Acme.Device1);

        Assert.Equal(2, _server.Faults.CallsOf("Check").Count);
    }

    [Fact]
    public async Task DecisionCache_Error_IsNotCached()
    {
        await using var host = new ClientHost(_server, o => (o.DecisionCache.Enabled, o.MaxAttempts) = (true, 1));
        host.Client.RememberUserAccount("bob", Acme.Id);
        _server.Faults.Fail("Check", Grpc.Core.StatusCode.Unavailable);

        await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => host.Client.CheckAsync("bob", "device:read", Acme.Device1));
        var decision = await host.Client.CheckAsync("bob", "device:read", Acme.Device1);

        Assert.True(decision.Allowed);
        Assert.Equal(2, _server.Faults.CallsOf("Check").Count);
    }

    [Fact]
    public async Task DecisionCache_RevocationNamesTheUser_DropsTheAnswerAndAsksAgain()
    {
        await using var host = new ClientHost(_server, o => o.DecisionCache.Enabled = true);
        await host.Admin.PutUserAsync(Acme.User("bob", "support")); // the client learns bob's account
        await host.ConnectWatchAsync(Acme.Id);
        var revoked = new TaskCompletionSource<Revocation>(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Cache.Revoked += r => revoked.TrySetResult(r);
        var before = await host.Client.CheckAsync("bob", "device:read", Acme.Device1);

        var revision = await host.Admin.PutRoleAsync(Acme.SupportRole("node:lab"));
        var revocation = await revoked.Task.WaitAsync(Patience);
        var after = await host.Client.CheckAsync("bob", "device:read", Acme.Device1);

        Assert.True(before.Allowed);
        Assert.Equal(revision, revocation.Revision);
        Assert.False(after.Allowed);
        Assert.Equal(DecisionReason.DeviceOutOfScope, after.Reason);
        Assert.Equal(2, _server.Faults.CallsOf("Check").Count);
    }

    [Fact]
    public async Task RemoteAccessGuard_Allowed_OpensASessionThatRuns()
    {
        await using var host = new ClientHost(_server);

        using var session = await host.Guard.OpenAsync(Acme.Id, "bob", Acme.Device1, RemoteAccessRequest.Console());

        Assert.True(session.Allowed);
        Assert.False(session.Token.IsCancellationRequested);
        Assert.Null(session.CutReason);
        Assert.Equal(1, host.Guard.OpenSessions);
    }

    [Fact]
    public async Task RemoteAccessGuard_Denied_ReturnsACancelledSession()
    {
        await using var host = new ClientHost(_server);

        using var session = await host.Guard.OpenAsync(Acme.Id, "bob", Acme.Device3, RemoteAccessRequest.Console());

        Assert.False(session.Allowed);
        Assert.True(session.Token.IsCancellationRequested);
        Assert.Equal(nameof(DecisionReason.DeviceOutOfScope), session.CutReason);
        Assert.Equal(0, host.Guard.OpenSessions);
    }

    [Fact]
    public async Task RemoteAccessGuard_RevocationDeniesTheUser_CutsOnlyTheirSession()
    {
        await using var host = new ClientHost(_server);
        var cut = new TaskCompletionSource<RemoteAccessSession>(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Guard.SessionCut += (_, s) => cut.TrySetResult(s);
        using var bob = await host.Guard.OpenAsync(Acme.Id, "bob", Acme.Device1, RemoteAccessRequest.Console());
        using var olivia = await host.Guard.OpenAsync(Acme.Id, "olivia", Acme.Device1, RemoteAccessRequest.Console());
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = bob.Token.Register(() => cancelled.TrySetResult());

        var revision = await host.Admin.PutUserAsync(Acme.User("bob")); // support role taken away
        await cancelled.Task.WaitAsync(Patience);
        var cutSession = await cut.Task.WaitAsync(Patience);

        Assert.Same(bob, cutSession);
        Assert.Equal(nameof(DecisionReason.PermissionNotGranted), bob.CutReason);
        Assert.False(olivia.Token.IsCancellationRequested);
        Assert.Equal(1, host.Guard.OpenSessions);
        Assert.Contains(_server.Faults.CallsOf("Check"), c => c.Field<string>("user_id") == "bob" && c.Field<ulong>("min_revision") == revision);
    }

    [Fact]
    public async Task RemoteAccessGuard_RevocationStillAllows_KeepsTheSession()
    {
        await using var host = new ClientHost(_server);
        var rechecked = new TaskCompletionSource<Decision?>(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Guard.Rechecked += (_, decision) => rechecked.TrySetResult(decision);
        using var bob = await host.Guard.OpenAsync(Acme.Id, "bob", Acme.Device1, RemoteAccessRequest.Console());

        // Read narrowed to the lab: bob is named, but his console on production stays granted.
        var revision = await host.Admin.PutRoleAsync(Acme.SupportRole("node:lab"));
        var recheck = await rechecked.Task.WaitAsync(Patience);

        Assert.NotNull(recheck);
        Assert.True(recheck.Allowed);
        Assert.Equal(revision, recheck.Revision);
        Assert.False(bob.Token.IsCancellationRequested);
        Assert.Null(bob.CutReason);
    }

    private static User Disabled(User user)
    {
        user.Status = UserStatus.Disabled;
        return user;
    }
}
