using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.Options;
using Qbee.Authz.V1;
using TokenCommand = Qbee.Authz.Service.Security.TokenCommand;

namespace Qbee.Authz.Service.FunctionalTests;

/// <summary>Caller tokens and scopes against the real server: who gets in, who is turned away, what audit says.</summary>
public sealed class SecurityTests : IAsyncLifetime
{
    private static readonly string Device1 = Fleet.DeviceId(1);
    private static readonly (string Token, string Hash) Gateway = TokenCommand.NewToken();
    private static readonly (string Token, string Hash) Ops = TokenCommand.NewToken();

    private static readonly Dictionary<string, string?> Callers = new()
    {
        ["Authz:Callers:0:Name"] = "gateway",
        ["Authz:Callers:0:TokenSha256"] = Gateway.Hash,
        ["Authz:Callers:0:Scopes:0"] = "check",
        ["Authz:Callers:1:Name"] = "ops-console",
        ["Authz:Callers:1:TokenSha256"] = Ops.Hash,
        ["Authz:Callers:1:Scopes:0"] = "admin",
        ["Authz:Callers:1:Scopes:1"] = "check",
    };

    private AuthzServer _server = null!;

    private static Metadata AsGateway => new() { { "authorization", $"Bearer {Gateway.Token}" } };

    private static Metadata AsOps => new() { { "authorization", $"Bearer {Ops.Token}" }, { "x-request-id", "change-7" } };

    public async Task InitializeAsync()
    {
        _server = await AuthzServer.StartAsync(Callers);
        await _server.Admin.CreateAccountAsync(Fleet.Account("acme", "olivia"), AsOps);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Check_WithCheckToken_IsAnswered()
    {
        var answer = await _server.Authz.CheckAsync(new CheckRequest { UserId = "olivia", Permission = "audit:read" }, AsGateway);

        Assert.True(answer.Allowed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-token")]
    [InlineData("Basic b2xpdmlhOnNlY3JldA==")]
    public async Task Check_WithoutAKnownToken_IsUnauthenticated(string? authorization)
    {
        var headers = authorization is null ? new Metadata() : new Metadata { { "authorization", authorization } };

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _server.Authz.CheckAsync(new CheckRequest { UserId = "olivia", Permission = "audit:read" }, headers).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task AdminCall_WithCheckOnlyToken_IsPermissionDenied_AndChangesNothing()
    {
        var before = (await _server.Admin.ListRolesAsync(new ListRolesRequest { AccountId = "acme" }, AsOps)).Revision;

        var error = await Assert.ThrowsAsync<RpcException>(() => _server.Admin.PutRoleAsync(
            new PutRoleRequest { Role = Fleet.Role("acme", "ops", ("device:read", [])) }, AsGateway).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("'admin'", error.Status.Detail);
        Assert.Equal(before, (await _server.Admin.ListRolesAsync(new ListRolesRequest { AccountId = "acme" }, AsOps)).Revision);
    }

    [Fact]
    public async Task ListDeviceUsers_EmailsGoOnlyToACallerWithTheAdminScope()
    {
        await _server.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device("acme", Device1, "") }, AsOps);
        var request = new ListDeviceUsersRequest { DeviceId = Device1, Permission = "device:read" };

        var asGateway = await _server.Authz.ListDeviceUsersAsync(request, AsGateway);
        var asOps = await _server.Authz.ListDeviceUsersAsync(request, AsOps);

        Assert.Equal(asOps.Users.Select(u => u.UserId), asGateway.Users.Select(u => u.UserId));
        Assert.NotEmpty(asOps.Users);
        Assert.All(asOps.Users, u => Assert.Contains('@', u.Email));
        Assert.All(asGateway.Users, u => Assert.Equal(string.Empty, u.Email));
    }

    [Fact]
    public async Task HealthAndReflection_NeedNoToken()
    {
        var health = await new Health.HealthClient(_server.Channel).CheckAsync(new HealthCheckRequest());
        var reflection = new global::Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(_server.Channel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new global::Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = string.Empty });

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        await call.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task Audit_RecordsTheCallerOfTheTokenAndTheRequestId_ForAdminChangesAndDecisions()
    {
        await _server.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device("acme", Device1, "") }, AsOps);
        await _server.Admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = "acme", NodeId = "root", Setting = RemoteAccessSetting.Enabled }, AsOps);
        await _server.Authz.CheckAsync(
            new CheckRequest { UserId = "olivia", Permission = "remote-access:connect", DeviceId = Device1, RemoteAccess = new RemoteAccess { Action = RemoteAccessAction.Console } },
            new Metadata { { "authorization", $"Bearer {Gateway.Token}" }, { "x-request-id", "gw-1" } });

        await _server.RestartAsync(Callers);
        var events = (await _server.Admin.ListAuditEventsAsync(new ListAuditEventsRequest { AccountId = "acme" }, AsOps)).Events;

        var decision = Assert.Single(events, e => e.Kind == "remote_access.check");
        Assert.Equal(("gateway", "gw-1", true), (decision.Caller, decision.RequestId, decision.Allowed));
        Assert.All(events.Where(e => e.Kind.StartsWith("admin.", StringComparison.Ordinal)), e => Assert.Equal(("ops-console", "change-7"), (e.Caller, e.RequestId)));
        Assert.Equal(4, events.Count(e => e.Kind.StartsWith("admin.", StringComparison.Ordinal) || e.Kind == "remote_access.check"));
    }

    [Fact]
    public async Task Start_WithCallersOnAllInterfaces_Serves()
    {
        await using var exposed = await AuthzServer.StartAsync(Callers, hooks: new ServerHooks("http://0.0.0.0:0"));

        var answer = await exposed.Authz.CheckAsync(new CheckRequest { UserId = "nobody", Permission = "audit:read" }, AsGateway);

        Assert.Equal(DecisionReason.UserNotFound, answer.Reason);
    }

    [Theory]
    [InlineData("http://0.0.0.0:0")]
    [InlineData("http://[::]:0")]
    public async Task Start_WithoutCallersOnAllInterfaces_RefusesWithAClearMessage(string url)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => AuthzServer.StartAsync(hooks: new ServerHooks(url)));

        Assert.Contains("Refusing to start", error.Message);
        Assert.Contains("Authz:Callers", error.Message);
    }

    [Fact]
    public async Task Start_WithoutCallersOnKestrelEndpointOnAllInterfaces_Refuses()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            AuthzServer.StartAsync(new Dictionary<string, string?> { ["Kestrel:Endpoints:Grpc:Url"] = "http://0.0.0.0:0" }));

        Assert.Contains("0.0.0.0", error.Message);
    }

    [Theory]
    [InlineData("Authz:Callers:0:TokenSha256", "not-a-hash", "Authz:Callers:0:TokenSha256")]
    [InlineData("Authz:Callers:0:Scopes:0", "everything", "'everything'")]
    [InlineData("Authz:Callers:1:Name", "gateway", "configured twice")]
    [InlineData("Authz:Limits:MaxBatch", "0", "MaxBatch")]
    [InlineData("Authz:Limits:MaxMessageBytes", "1", "MaxMessageBytes")]
    [InlineData("Authz:Audit:RetentionDays", "-1", "RetentionDays")]
    public async Task Start_WithABadSecuritySetting_FailsNamingIt(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?>(Callers) { [key] = value };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => AuthzServer.StartAsync(settings));

        Assert.Contains(expected, error.Message);
    }
}
