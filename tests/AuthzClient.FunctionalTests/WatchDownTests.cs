using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using Qbee.Authz.Client.Gateway;
using Qbee.Authz.V1;

namespace Qbee.Authz.Client.FunctionalTests;

/// <summary>
/// While the revocation watch of an account is down, revocations may be missed: the decision cache serves nothing and
/// the remote-access guard re-checks open sessions on its interval. The client's clock is a fake one, so the watch's
/// back-off and the guard's interval pass only when a test advances it.
/// </summary>
public sealed class WatchDownTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new();
    private AuthzServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await AuthzServer.StartAsync(hooks: new ServerHooks(Faults: new FaultInjector()));
        await using var seeding = new ClientHost(_server);
        await Acme.SeedAsync(seeding.Admin);
        _server.Faults.Calls.Clear();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task DecisionCache_WatchDown_AsksTheServiceEveryTimeUntilTheWatchConnects()
    {
        await using var host = new ClientHost(_server, o => (o.DecisionCache.Enabled, o.MaxAttempts) = (true, 1), _time);
        host.Client.RememberUserAccount("bob", Acme.Id);
        _server.Faults.Fail("WatchRevocations", StatusCode.Unavailable);

        await host.Client.CheckAsync("bob", "device:read", Acme.Device1); // starts the watch, which is refused
        await ClientHost.Until(() => _server.Faults.CallsOf("WatchRevocations").Count == 1);
        await host.Client.CheckAsync("bob", "device:read", Acme.Device1);
        await host.Client.CheckAsync("bob", "device:read", Acme.Device1);
        var whileDown = _server.Faults.CallsOf("Check").Count;
        // Past the back-off, however long the watch took to start waiting: it reconnects.
        await ClientHost.Until(() =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(500));
            return host.Hub.IsConnected(Acme.Id);
        });
        await host.Client.CheckAsync("bob", "device:read", Acme.Device1);
        await host.Client.CheckAsync("bob", "device:read", Acme.Device1);

        Assert.Equal(3, whileDown);
        Assert.Equal(4, _server.Faults.CallsOf("Check").Count);
    }

    [Fact]
    public async Task DecisionCache_WatchReconnected_DoesNotServeAnAnswerKeptBeforeIt()
    {
        await using var host = new ClientHost(_server, o => o.DecisionCache.Enabled = true, _time);
        host.Client.RememberUserAccount("bob", Acme.Id);
        _server.Faults.BreakStreamAfter("WatchRevocations", messages: 0); // the first revocation breaks the stream
        await host.ConnectWatchAsync(Acme.Id);
        await host.Client.CheckAsync("bob", "device:read", Acme.Device1);
        await host.Client.CheckAsync("bob", "device:read", Acme.Device1);
        var keptWhileConnected = _server.Faults.CallsOf("Check").Count == 1;
        var replayed = new TaskCompletionSource<Revocation>(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Cache.Revoked += r => replayed.TrySetResult(r);

        // A revocation that names carol only: bob's answer still holds, but the watch breaks and reconnects.
        await host.Admin.PutUserAsync(Acme.User("carol", "support"));
        var carolRevoked = await host.Admin.PutUserAsync(Acme.User("carol"));
        await ClientHost.Until(() =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(500));
            return replayed.Task.IsCompleted;
        });
        await host.Client.CheckAsync("bob", "device:read", Acme.Device1);

        Assert.True(keptWhileConnected);
        Assert.Equal(carolRevoked, (await replayed.Task).Revision);
        Assert.Equal(["carol"], (await replayed.Task).UserIds);
        Assert.Equal(2, _server.Faults.CallsOf("WatchRevocations").Count);
        Assert.Equal(2, _server.Faults.CallsOf("Check").Count);
    }

    [Fact]
    public async Task RemoteAccessGuard_WatchDownAndUserRevoked_CutsTheSessionAtTheNextRecheck()
    {
        await using var host = new ClientHost(_server, o => o.Gateway.RecheckInterval = Interval, _time);
        _server.Faults.Fail("WatchRevocations", StatusCode.PermissionDenied, times: 100); // refused for the whole test
        var cut = new TaskCompletionSource<RemoteAccessSession>(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Guard.SessionCut += (_, s) => cut.TrySetResult(s);
        using var bob = await host.Guard.OpenAsync(Acme.Id, "bob", Acme.Device1, RemoteAccessRequest.Console());

        await host.Admin.PutUserAsync(Acme.User("bob")); // support role taken away, and no revocation comes
        _time.Advance(Interval);
        var cutSession = await cut.Task.WaitAsync(Patience);

        Assert.Same(bob, cutSession);
        Assert.Equal(nameof(DecisionReason.PermissionNotGranted), bob.CutReason);
        Assert.True(bob.Token.IsCancellationRequested);
        Assert.Equal(2, _server.Faults.CallsOf("Check").Count(c => c.Field<string>("user_id") == "bob"));
        Assert.False(host.Hub.IsConnected(Acme.Id));
    }

    [Fact]
    public async Task RemoteAccessGuard_WatchDownAndRecheckStillAllows_KeepsTheSession()
    {
        await using var host = new ClientHost(_server, o => o.Gateway.RecheckInterval = Interval, _time);
        _server.Faults.Fail("WatchRevocations", StatusCode.Unauthenticated, times: 100);
        using var bob = await host.Guard.OpenAsync(Acme.Id, "bob", Acme.Device1, RemoteAccessRequest.Console());

        var first = await RecheckAfterIntervalAsync(host);
        var second = await RecheckAfterIntervalAsync(host);

        Assert.True(first?.Allowed);
        Assert.True(second?.Allowed);
        Assert.Null(bob.CutReason);
        Assert.Equal(3, _server.Faults.CallsOf("Check").Count);
    }

    [Fact]
    public async Task RemoteAccessGuard_WatchDownAndServiceUnreachable_KeepsTheSessionForTheGraceThenCutsIt()
    {
        await using var host = new ClientHost(_server, o => (o.Gateway.RecheckInterval, o.Gateway.RecheckGrace, o.MaxAttempts) = (Interval, 2 * Interval, 1), _time);
        _server.Faults.Fail("WatchRevocations", StatusCode.Unavailable, times: 100);
        using var bob = await host.Guard.OpenAsync(Acme.Id, "bob", Acme.Device1, RemoteAccessRequest.Console());
        _server.Faults.Fail("Check", StatusCode.Unavailable, times: 100);

        var first = await RecheckAfterIntervalAsync(host);
        var keptAfterOneInterval = bob.CutReason is null;
        var second = await RecheckAfterIntervalAsync(host);

        Assert.Null(first);
        Assert.True(keptAfterOneInterval);
        Assert.Null(second);
        Assert.StartsWith("re-check failed: Unavailable", bob.CutReason);
        Assert.True(bob.Token.IsCancellationRequested);
        Assert.Equal(0, host.Guard.OpenSessions);
    }

    [Fact]
    public async Task RemoteAccessGuard_WatchConnected_DoesNotRecheckOnTheInterval()
    {
        await using var host = new ClientHost(_server, o => o.Gateway.RecheckInterval = Interval, _time);
        using var bob = await host.Guard.OpenAsync(Acme.Id, "bob", Acme.Device1, RemoteAccessRequest.Console());
        await ClientHost.Until(() => host.Hub.IsConnected(Acme.Id));

        _time.Advance(Interval);
        _time.Advance(Interval);

        Assert.Single(_server.Faults.CallsOf("Check"));
        Assert.Null(bob.CutReason);
    }

    /// <summary>Advances the client's clock by an interval and waits for the re-check that the guard's timer starts.</summary>
    private async Task<Decision?> RecheckAfterIntervalAsync(ClientHost host)
    {
        var rechecked = new TaskCompletionSource<Decision?>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnRechecked(RemoteAccessSession session, Decision? decision) => rechecked.TrySetResult(decision);
        host.Guard.Rechecked += OnRechecked;
        try
        {
            _time.Advance(Interval);
            return await rechecked.Task.WaitAsync(Patience);
        }
        finally
        {
            host.Guard.Rechecked -= OnRechecked;
        }
    }
}
