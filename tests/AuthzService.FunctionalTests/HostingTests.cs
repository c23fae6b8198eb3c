using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.FunctionalTests;

public sealed class HostingTests : IAsyncLifetime
{
    private AuthzServer _server = null!;

    public async Task InitializeAsync() => _server = await AuthzServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("")]
    [InlineData("qbee.authz.v1.AuthorizationService")]
    [InlineData("qbee.authz.v1.AdminService")]
    public async Task Health_AfterStart_IsServing(string service)
    {
        var health = new Health.HealthClient(_server.Channel);

        var answer = await health.CheckAsync(new HealthCheckRequest { Service = service });

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, answer.Status);
    }

    [Fact]
    public async Task Ping_AnswersEmpty()
    {
        var pong = await _server.Authz.PingAsync(new PingRequest());

        Assert.Equal(new PingResponse(), pong);
    }

    [Fact]
    public async Task Reflection_ListsBothServicesWithEveryMethodOfTheContract()
    {
        var reflection = new ServerReflection.ServerReflectionClient(_server.Channel);
        using var call = reflection.ServerReflectionInfo();

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty });
        await call.ResponseStream.MoveNext(CancellationToken.None);
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        await call.RequestStream.CompleteAsync();

        Assert.Contains("qbee.authz.v1.AuthorizationService", services);
        Assert.Contains("qbee.authz.v1.AdminService", services);
        Assert.Contains("grpc.health.v1.Health", services);
        string[] authorization = ["Check", "CheckBatch", "CheckApiCall", "ResolveScope", "ListAllowedDevices", "GetEffectivePermissions", "WatchRevocations"];
        string[] admin = ["CreateAccount", "PutRole", "DeleteRole", "ListRoles", "PutUser", "PutUsers", "DeleteUser", "PutNode", "DeleteNode", "SetRemoteAccess", "ListAuditEvents", "GetStatus"];
        Assert.Empty(authorization.Except(AuthorizationService.Descriptor.Methods.Select(m => m.Name)));
        Assert.Empty(admin.Except(AdminService.Descriptor.Methods.Select(m => m.Name)));
    }
}
