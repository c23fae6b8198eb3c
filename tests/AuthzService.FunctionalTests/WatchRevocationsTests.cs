using Grpc.Core;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.FunctionalTests;

public sealed class WatchRevocationsTests : IAsyncLifetime
{
    private const string Acme = "acme";
    private static readonly string Device1 = Fleet.DeviceId(1);
    private AuthzServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await AuthzServer.StartAsync();
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
    public async Task AfterRevisionOlderThanThisReplicasHistory_NamesEveryone()
    {
        await _server.RestartAsync();
        var revision = await ApplyAsync("user disabled");

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
