using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Qbee.Authz.Client.FunctionalTests;

/// <summary>Retries, deadlines, the bearer token and the options' validation.</summary>
public sealed class ResilienceTests : IAsyncLifetime
{
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
    public async Task CheckAsync_UnavailableOnce_IsRetriedByTheChannelAndAnswers()
    {
        await using var host = new ClientHost(_server);
        _server.Faults.Fail("Check", StatusCode.Unavailable);

        var decision = await host.Client.CheckAsync("bob", "device:read", Acme.Device1);

        Assert.True(decision.Allowed);
        Assert.Equal(2, _server.Faults.CallsOf("Check").Count);
    }

    [Fact]
    public async Task CheckAsync_UnavailableMoreThanMaxAttempts_Throws()
    {
        await using var host = new ClientHost(_server, o => o.MaxAttempts = 2);
        _server.Faults.Fail("Check", StatusCode.Unavailable, times: 2);

        var error = await Assert.ThrowsAsync<RpcException>(() => host.Client.CheckAsync("bob", "device:read", Acme.Device1));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(2, _server.Faults.CallsOf("Check").Count);
    }

    [Fact]
    public async Task CheckAsync_InvalidArgument_IsNotRetried()
    {
        await using var host = new ClientHost(_server);
        _server.Faults.Fail("Check", StatusCode.InvalidArgument);

        var error = await Assert.ThrowsAsync<RpcException>(() => host.Client.CheckAsync("bob", "device:read", Acme.Device1));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Single(_server.Faults.CallsOf("Check"));
    }

    [Fact]
    public async Task AdminWrite_Unavailable_IsNotRetried()
    {
        await using var host = new ClientHost(_server);
        _server.Faults.Fail("PutNode", StatusCode.Unavailable);

        var error = await Assert.ThrowsAsync<RpcException>(() => host.Admin.PutNodeAsync(Acme.Group("spare", "root")));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Single(_server.Faults.CallsOf("PutNode"));
    }

    [Fact]
    public async Task CheckAsync_ServiceSlowerThanTheDeadline_ThrowsDeadlineExceeded()
    {
        await using var host = new ClientHost(_server, o => o.Deadline = TimeSpan.FromMilliseconds(300));
        _server.Faults.Hang("Check");

        var error = await Assert.ThrowsAsync<RpcException>(() => host.Client.CheckAsync("bob", "device:read", Acme.Device1));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
    }

    [Fact]
    public async Task ListAllowedDevicesAsync_ServiceSlowerThanTheDeadline_ThrowsDeadlineExceeded()
    {
        await using var host = new ClientHost(_server, o => o.Deadline = TimeSpan.FromMilliseconds(300));
        _server.Faults.Hang("ListAllowedDevices");

        var error = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.ListAllowedDevicesAsync("bob", "device:read").ToListAsync());

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
    }

    [Fact]
    public async Task Token_Set_IsSentAsBearerOnChecksAndAdminCalls()
    {
        await using var host = new ClientHost(_server, o => o.Token = "s3cret-token");

        await host.Client.CheckAsync("bob", "device:read", Acme.Device1);
        await host.Admin.ListRolesAsync(Acme.Id);

        Assert.Equal("Bearer s3cret-token", _server.Faults.CallsOf("Check").Single().Authorization);
        Assert.Equal("Bearer s3cret-token", _server.Faults.CallsOf("ListRoles").Single().Authorization);
    }

    [Fact]
    public async Task Token_Missing_SendsNoAuthorizationHeader()
    {
        await using var host = new ClientHost(_server);

        await host.Client.CheckAsync("bob", "device:read", Acme.Device1);

        Assert.Null(_server.Faults.CallsOf("Check").Single().Authorization);
    }

    [Theory]
    [InlineData(null, null, "Address is required")]
    [InlineData("ftp://authz:50051", null, "http:// or https://")]
    [InlineData("http://authz.internal:50051", "t0ken", "unencrypted")]
    [InlineData("http://127.0.0.1:50051", "", "Token is empty")]
    public void Options_Invalid_FailWithAClearMessage(string? address, string? token, string expected)
    {
        var services = new ServiceCollection().AddQbeeAuthzClient(o =>
        {
            o.Address = address is null ? null : new Uri(address);
            o.Token = token;
        }).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<AuthzClientOptions>>().Value);

        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("DecisionCache:TimeToLive", "00:05:01", "DecisionCache:TimeToLive must be at most 00:05:00")]
    [InlineData("Gateway:RecheckInterval", "00:00:00", "Gateway:RecheckInterval must be positive")]
    [InlineData("Gateway:RecheckGrace", "-00:00:01", "Gateway:RecheckGrace must not be negative")]
    public void Options_OutOfRange_FailWithAClearMessage(string key, string value, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["QbeeAuthz:Address"] = "http://127.0.0.1:50051",
            ["QbeeAuthz:DecisionCache:Enabled"] = "true",
            [$"QbeeAuthz:{key}"] = value,
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddQbeeAuthzClient().BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<AuthzClientOptions>>().Value);

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Options_TimeToLiveAtTheBoundAndGatewaySettings_AreValid()
    {
        var services = new ServiceCollection().AddQbeeAuthzClient(o =>
        {
            o.Address = new Uri("http://127.0.0.1:50051");
            (o.DecisionCache.Enabled, o.DecisionCache.TimeToLive) = (true, DecisionCacheOptions.MaxTimeToLive);
            (o.Gateway.RecheckInterval, o.Gateway.RecheckGrace) = (TimeSpan.FromSeconds(5), TimeSpan.Zero);
        }).BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<AuthzClientOptions>>().Value;

        Assert.Equal(TimeSpan.FromMinutes(5), options.DecisionCache.TimeToLive);
        Assert.Equal(TimeSpan.Zero, options.Gateway.RecheckGrace);
    }

    [Fact]
    public void Options_TokenOverPlaintextToLoopbackOrAllowed_AreValid()
    {
        var loopback = new ServiceCollection().AddQbeeAuthzClient(o => (o.Address, o.Token) = (new Uri("http://127.0.0.1:50051"), "t")).BuildServiceProvider();
        var allowed = new ServiceCollection().AddQbeeAuthzClient(o => (o.Address, o.Token, o.AllowTokenOverPlaintext) = (new Uri("http://authz:50051"), "t", true)).BuildServiceProvider();

        Assert.Equal("t", loopback.GetRequiredService<IOptions<AuthzClientOptions>>().Value.Token);
        Assert.True(allowed.GetRequiredService<IOptions<AuthzClientOptions>>().Value.AllowTokenOverPlaintext);
    }

    [Fact]
    public void Options_BoundFromTheQbeeAuthzSection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["QbeeAuthz:Address"] = "https://authz.example.com",
            ["QbeeAuthz:Deadline"] = "00:00:00.750",
            ["QbeeAuthz:ReadYourWrites"] = "true",
            ["QbeeAuthz:DecisionCache:Enabled"] = "true",
        }).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddQbeeAuthzClient()
            .BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<AuthzClientOptions>>().Value;

        Assert.Equal(new Uri("https://authz.example.com"), options.Address);
        Assert.Equal(TimeSpan.FromMilliseconds(750), options.Deadline);
        Assert.True(options.ReadYourWrites);
        Assert.True(options.DecisionCache.Enabled);
    }
}
