using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Qbee.Authz.V1;
using RevocationWatches = Qbee.Authz.Service.Grpc.RevocationWatches;

namespace Qbee.Authz.Service.FunctionalTests;

public sealed class WatchRevocationsTests : IAsyncLifetime
{
    private const string Acme = "acme";
    private const int Buffer = 2;
    private const int MaxStreams = 3;
    private static readonly string Device1 = Fleet.DeviceId(1);
    private readonly StreamWriteGate _gate = new();
    private AuthzServer _server = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Authz:Limits:WatchBufferEvents"] = Buffer.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Authz:Limits:MaxWatchStreamsPerCaller"] = MaxStreams.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        _server = await AuthzServer.StartAsync(settings, hooks: new ServerHooks(Configure: builder =>
        {
            builder.Services.AddSingleton(_gate);
            builder.Services.AddGrpc(o => o.Interceptors.Add<StreamWriteGateInterceptor>());
        }));
        await _server.Admin.CreateAccountAsync(Fleet.Account(Acme, "olivia"));
        await _server.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(Acme, "web") });
        await _server.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Device1, "web", "prod") });
        await _server.Admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Acme, NodeId = "root", Setting = RemoteAccessSetting.Enabled });
        await _server.Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "prod-ops", ("remote-access:connect", ["tag:prod"])) });
        await _server.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "bob", "prod-ops") });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    // The owner holds the unrestricted default role: only remote access turned off touches her (open sessions).
    public static TheoryData<string, bool> Changes => new()
    {
        { "role edited", false },
        { "role removed from user", false },
        { "user disabled", false },
        { "user deleted", false },
        { "device retagged", false },
        { "device moved", false },
        { "remote access off", true },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task EachKindOfShrinkingChange_NamesTheUser(string change, bool ownerToo)
    {
        // From the current revision: the stream then cannot miss a change made before it was set up.
        using var watch = _server.Authz.WatchRevocations(new WatchRevocationsRequest { AccountId = Acme, AfterRevision = await RevisionAsync() });
        var next = watch.ResponseStream.MoveNext(Timeout());

        var revision = await ApplyAsync(change);

        Assert.True(await next);
        Assert.Equal(revision, watch.ResponseStream.Current.Revision);
        Assert.Contains("bob", watch.ResponseStream.Current.UserIds);
        Assert.Equal(ownerToo, watch.ResponseStream.Current.UserIds.Contains("olivia"));
    }

    [Fact]
    public async Task GrowingChange_IsNotAnEvent()
    {
        using var watch = _server.Authz.WatchRevocations(new WatchRevocationsRequest { AccountId = Acme, AfterRevision = await RevisionAsync() });
        var next = watch.ResponseStream.MoveNext(Timeout());

        await _server.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "bob", "prod-ops", "default") });
        var revoking = await ApplyAsync("user disabled");

        Assert.True(await next);
        Assert.Equal(revoking, watch.ResponseStream.Current.Revision);
    }

    [Fact]
    public async Task AfterRevision_ReplaysWhatTheWatcherMissed()
    {
        var before = await RevisionAsync();
        var first = await ApplyAsync("device retagged");
        var second = await ApplyAsync("user deleted");

        using var watch = _server.Authz.WatchRevocations(new WatchRevocationsRequest { AccountId = Acme, AfterRevision = before });

        Assert.True(await watch.ResponseStream.MoveNext(Timeout()));
        Assert.Equal(first, watch.ResponseStream.Current.Revision);
        Assert.True(await watch.ResponseStream.MoveNext(Timeout()));
        Assert.Equal(second, watch.ResponseStream.Current.Revision);
    }

    [Fact]
    public async Task AfterRevisionOlderThanThisReplicasHistory_ReplaysTheChangeLog_ThenTheLiveEvents()
    {
        var before = await RevisionAsync();
        var retagged = await ApplyAsync("device retagged");
        var carol = (await _server.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "carol") })).Revision;
        var roleEdited = await ApplyAsync("role edited");
        await _server.RestartAsync(); // this replica's history now starts at the restart

        using var watch = _server.Authz.WatchRevocations(new WatchRevocationsRequest { AccountId = Acme, AfterRevision = before });
        var replayed = new List<RevocationEvent>();
        while (replayed.Count < 3 && await watch.ResponseStream.MoveNext(Timeout()))
        {
            replayed.Add(watch.ResponseStream.Current);
        }

        var next = watch.ResponseStream.MoveNext(Timeout());
        var disabled = await ApplyAsync("user disabled");

        // From the log: per write, the users it may have shrunk, not everyone. The retag names bob (a tag-scoped grant)
        // and olivia (a connect grant: the device may have lost remote access at that revision, which the replay's
        // end snapshot cannot rule out).
        Assert.Equal(
            [(retagged, "bob,olivia"), (carol, "carol"), (roleEdited, "bob")],
            replayed.Select(e => (e.Revision, string.Join(",", e.UserIds))));
        Assert.All(replayed, e => Assert.False(e.AllUsers));
        Assert.True(await next);
        Assert.Equal(disabled, watch.ResponseStream.Current.Revision);
        Assert.Equal(["bob"], watch.ResponseStream.Current.UserIds);
    }

    [Fact]
    public async Task AfterRevisionOlderThanTheChangeLog_NamesEveryone()
    {
        await _server.RestartAsync();
        var revision = await ApplyAsync("user disabled");
        var store = _server.Services.GetRequiredService<Qbee.Authz.Service.Storage.IAuthzStore>();
        await store.PurgeChangeLogAsync(DateTimeOffset.UtcNow.AddMinutes(1), keepRevisions: 1, maxRows: 1000, CancellationToken.None);

        using var watch = _server.Authz.WatchRevocations(new WatchRevocationsRequest { AccountId = Acme, AfterRevision = 1 });

        Assert.True(await watch.ResponseStream.MoveNext(Timeout()));
        Assert.Equal(revision, watch.ResponseStream.Current.Revision);
        Assert.True(watch.ResponseStream.Current.AllUsers);
        Assert.Contains("olivia", watch.ResponseStream.Current.UserIds);
        Assert.Contains("bob", watch.ResponseStream.Current.UserIds);
    }

    [Fact]
    public async Task UnknownAccount_IsNotFound()
    {
        using var watch = _server.Authz.WatchRevocations(new WatchRevocationsRequest { AccountId = "ghost" });

        var error = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(Timeout()));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Subscribed_HeaderNamesTheRevisionTheStreamResumesAfter(bool fromNow)
    {
        var current = await RevisionAsync();
        var asked = fromNow ? 0 : current - 1;

        using var watch = _server.Authz.WatchRevocations(new WatchRevocationsRequest { AccountId = Acme, AfterRevision = asked });
        var headers = await watch.ResponseHeadersAsync.WaitAsync(Timeout());

        // Asked for 0 ("from now on"): told the current revision, so a reconnection misses nothing in between.
        Assert.Equal((fromNow ? current : asked).ToString(System.Globalization.CultureInfo.InvariantCulture), headers.GetValue(RevocationWatches.SubscribedAfterHeader));
    }

    [Fact]
    public async Task SlowReader_IsEndedWithResourceExhaustedNamingTheRevisionToResumeFrom()
    {
        var before = await RevisionAsync();
        _gate.Close(); // the reader stops taking events
        using var watch = _server.Authz.WatchRevocations(new WatchRevocationsRequest { AccountId = Acme, AfterRevision = before });
        await watch.ResponseHeadersAsync.WaitAsync(Timeout());

        // One event may be in the writer's hands; the buffer holds two more; the fourth finds it full.
        ulong[] revisions = [await ApplyAsync("role edited"), await ApplyAsync("device retagged"), await ApplyAsync("remote access off"), await ApplyAsync("user disabled")];
        _gate.Open();
        var received = new List<ulong>();
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await watch.ResponseStream.MoveNext(Timeout()))
            {
                received.Add(watch.ResponseStream.Current.Revision);
            }
        });
        var resumeFrom = received.Count > 0 ? received[^1] : before;
        using var resumed = _server.Authz.WatchRevocations(new WatchRevocationsRequest { AccountId = Acme, AfterRevision = resumeFrom });
        var replayed = new List<ulong>();
        while (replayed.Count < revisions.Length - received.Count && await resumed.ResponseStream.MoveNext(Timeout()))
        {
            replayed.Add(resumed.ResponseStream.Current.Revision);
        }

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("too slowly", error.Status.Detail, StringComparison.Ordinal);
        Assert.EndsWith($"resume with after_revision {resumeFrom}", error.Status.Detail, StringComparison.Ordinal);
        Assert.True(received.Count <= 1, $"received {received.Count} events through a closed gate");
        Assert.Equal(revisions, received.Concat(replayed));
    }

    [Fact]
    public async Task StreamsOverTheCallersCap_AreResourceExhausted_UntilOneCloses()
    {
        var watches = _server.Services.GetRequiredService<RevocationWatches>();
        var open = new List<AsyncServerStreamingCall<RevocationEvent>>();
        for (var i = 0; i < MaxStreams; i++)
        {
            open.Add(_server.Authz.WatchRevocations(new WatchRevocationsRequest { AccountId = Acme }));
            await open[^1].ResponseHeadersAsync.WaitAsync(Timeout());
        }

        using var refused = _server.Authz.WatchRevocations(new WatchRevocationsRequest { AccountId = Acme });
        var error = await Assert.ThrowsAsync<RpcException>(() => refused.ResponseStream.MoveNext(Timeout()));
        open[0].Dispose(); // cancels the call: the server lets go of its slot
        await Eventually(() => watches.OpenStreams(RevocationWatches.LoopbackCaller) == MaxStreams - 1);
        using var admitted = _server.Authz.WatchRevocations(new WatchRevocationsRequest { AccountId = Acme, AfterRevision = await RevisionAsync() });
        await admitted.ResponseHeadersAsync.WaitAsync(Timeout());
        var next = admitted.ResponseStream.MoveNext(Timeout());
        var revision = await ApplyAsync("user disabled");

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("too many WatchRevocations streams", error.Status.Detail, StringComparison.Ordinal);
        Assert.True(await next);
        Assert.Equal(revision, admitted.ResponseStream.Current.Revision);
        open.ForEach(call => call.Dispose());
    }

    [Fact]
    public async Task Shutdown_WithAnOpenWatch_StopsPromptlyAndEndsTheStreamWithUnavailable()
    {
        // Its own channel: the server's is disposed when the server stops.
        using var channel = GrpcChannel.ForAddress(_server.Address);
        var client = new AuthorizationService.AuthorizationServiceClient(channel);
        var revision = await RevisionAsync();
        using var watch = client.WatchRevocations(new WatchRevocationsRequest { AccountId = Acme, AfterRevision = revision });
        var headers = await watch.ResponseHeadersAsync.WaitAsync(Timeout());
        var next = watch.ResponseStream.MoveNext(Timeout());

        var stopping = Stopwatch.StartNew();
        await _server.StopAppAsync();
        stopping.Stop();
        var error = await Assert.ThrowsAsync<RpcException>(() => next);

        // The host's shutdown timeout is 30 s: a stream that held on would make the stop last that long.
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10), $"stopping took {stopping.Elapsed}");
        Assert.Equal(revision.ToString(System.Globalization.CultureInfo.InvariantCulture), headers.GetValue(RevocationWatches.SubscribedAfterHeader));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal($"the service is stopping; resume with after_revision {revision}", error.Status.Detail);
    }

    private static async Task Eventually(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(10, deadline.Token);
        }
    }

    private async Task<ulong> RevisionAsync() => (await _server.Admin.ListRolesAsync(new ListRolesRequest { AccountId = Acme })).Revision;

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    private async Task<ulong> ApplyAsync(string change)
    {
        var admin = _server.Admin;
        return change switch
        {
            "role edited" => (await admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "prod-ops", ("remote-access:connect", ["tag:prod/console"])) })).Revision,
            "role removed from user" => (await admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "bob") })).Revision,
            "user disabled" => (await admin.PutUserAsync(new PutUserRequest { User = Disabled(Fleet.User(Acme, "bob", "prod-ops")) })).Revision,
            "user deleted" => (await admin.DeleteUserAsync(new DeleteUserRequest { AccountId = Acme, UserId = "bob" })).Revision,
            "device retagged" => (await admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Device1, "web") })).Revision,
            "device moved" => (await admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Device1, "root", "prod") })).Revision,
            "remote access off" => (await admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Acme, NodeId = Device1, Setting = RemoteAccessSetting.Disabled })).Revision,
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };
    }

    private static User Disabled(User user)
    {
        user.Status = UserStatus.Disabled;
        return user;
    }
}
