using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Qbee.Authz.Samples.ApiService;

namespace Qbee.Authz.Client.FunctionalTests;

/// <summary>
/// The sample API service (samples/ApiService, as the README shows it) through WebApplicationFactory, with real HTTP
/// requests: the attribute, the endpoint filter and ResolveScope against the real authorization service in process.
/// </summary>
/// <remarks>
/// The factory names the sample's assembly by one of its types: its <c>Program</c> shares the name with the
/// service's (both public), which the kit brings in.
/// </remarks>
public sealed class ApiServiceTests : IAsyncLifetime
{
    private AuthzServer _server = null!;
    private WebApplicationFactory<DeviceInventory> _api = null!;

    public async Task InitializeAsync()
    {
        _server = await AuthzServer.StartAsync(hooks: new ServerHooks(Faults: new FaultInjector()));
        await using (var seeding = new ClientHost(_server))
        {
            await Acme.SeedAsync(seeding.Admin);
        }

        _api = Sample(_server.Uri);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData("bob", 1, HttpStatusCode.OK)]
    [InlineData("bob", 2, HttpStatusCode.Forbidden)]
    [InlineData("carol", 1, HttpStatusCode.Forbidden)]
    [InlineData("mallory", 1, HttpStatusCode.Forbidden)]
    [InlineData(null, 1, HttpStatusCode.Unauthorized)]
    public async Task GetDevice_Attribute_AllowsOnlyWhatTheServiceGrants(string? user, int device, HttpStatusCode expected)
    {
        using var response = await Client(_api, user).GetAsync($"/devices/{device.ToString("x64")}");

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task GetDevice_Allowed_ReachesTheHandler()
    {
        var device = await Client(_api, "bob").GetFromJsonAsync<Device>($"/devices/{Acme.Device1}");

        Assert.Equal("press-01", device!.Title);
    }

    [Fact]
    public async Task GetDevices_ResolveScope_FiltersTheList()
    {
        var bob = await Client(_api, "bob").GetFromJsonAsync<string[]>("/devices");
        var olivia = await Client(_api, "olivia").GetFromJsonAsync<string[]>("/devices");
        using var carol = await Client(_api, "carol").GetAsync("/devices");

        Assert.Equal([Acme.Device1, Acme.Device3], bob!);
        Assert.Equal([Acme.Device1, Acme.Device2, Acme.Device3], olivia!);
        Assert.Equal(HttpStatusCode.Forbidden, carol.StatusCode);
    }

    [Theory]
    [InlineData("olivia", HttpStatusCode.OK)]
    [InlineData("bob", HttpStatusCode.Forbidden)] // device:read on production and the lab only: a restricted grant
    [InlineData("carol", HttpStatusCode.Forbidden)]
    public async Task GetFleetReport_AttributeWithoutDevice_DeniesARestrictedGrant(string user, HttpStatusCode expected)
    {
        using var response = await Client(_api, user).GetAsync("/fleet/report");

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task GetAccess_CheckAsync_TellsTheReason()
    {
        var answer = await Client(_api, "bob").GetFromJsonAsync<AccessAnswer>($"/devices/{Acme.Device2}/access");

        Assert.False(answer!.Allowed);
        Assert.Equal("DeviceOutOfScope", answer.Reason);
    }

    [Theory]
    [InlineData("olivia", HttpStatusCode.Accepted)]
    [InlineData("bob", HttpStatusCode.Forbidden)]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    public async Task PostReboot_EndpointFilter_AllowsOnlyDeviceManage(string? user, HttpStatusCode expected)
    {
        using var response = await Client(_api, user).PostAsync($"/devices/{Acme.Device1}/reboot", null);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task GetDevice_ServiceUnreachable_FailsClosed()
    {
        // A port nothing listens on: every attempt is refused (UNAVAILABLE), retried, then denied.
        await using var unreachable = Sample(new Uri("http://127.0.0.1:1"));

        using var attribute = await Client(unreachable, "olivia").GetAsync($"/devices/{Acme.Device1}");
        using var filter = await Client(unreachable, "olivia").PostAsync($"/devices/{Acme.Device1}/reboot", null);

        Assert.Equal(HttpStatusCode.Forbidden, attribute.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, filter.StatusCode);
    }

    [Fact]
    public async Task GetDevice_ServiceFailsWithAnError_FailsClosed()
    {
        _server.Faults.Fail("Check", Grpc.Core.StatusCode.Internal);

        using var response = await Client(_api, "bob").GetAsync($"/devices/{Acme.Device1}");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains(_server.Faults.CallsOf("Check"), c => c.Field<string>("user_id") == "bob");
    }

    private static WebApplicationFactory<DeviceInventory> Sample(Uri authz) => new WebApplicationFactory<DeviceInventory>().WithWebHostBuilder(builder =>
    {
        builder.UseSetting("QbeeAuthz:Address", authz.ToString());
        builder.ConfigureTestServices(services => services.AddLogging());
    });

    private static HttpClient Client(WebApplicationFactory<DeviceInventory> api, string? user)
    {
        var client = api.CreateClient();
        if (user is not null)
        {
            client.DefaultRequestHeaders.Add(DemoUserAuthentication.Header, user);
        }

        return client;
    }

    private sealed record AccessAnswer(bool Allowed, string Reason, string Message);
}
