using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Qbee.Authz.Client.AspNetCore;
using Qbee.Authz.Samples.ApiService;
using Qbee.Authz.V1;

namespace Qbee.Authz.Client.FunctionalTests;

/// <summary>
/// The sample API service (samples/ApiService, as the README shows it) through WebApplicationFactory, with real HTTP
/// requests: the attribute, the endpoint filter and ResolveScope against the real authorization service in process,
/// on the account the sample seeds itself at start (<see cref="SampleAccount"/>: Olivia owns it, Sam is support,
/// Nina has no role).
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
        _api = Sample(_server.Uri);
        _ = _api.Server; // starts the sample, which seeds its account before it serves
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData("sam", 1, HttpStatusCode.OK)]
    [InlineData("sam", 2, HttpStatusCode.Forbidden)]
    [InlineData("nina", 1, HttpStatusCode.Forbidden)]
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
        var device = await Client(_api, "sam").GetFromJsonAsync<Device>($"/devices/{Acme.Device1}");

        Assert.Equal("press-01", device!.Title);
    }

    [Fact]
    public async Task GetDevices_ResolveScope_FiltersTheList()
    {
        var sam = await Client(_api, "sam").GetFromJsonAsync<DeviceSummary[]>("/devices");
        var olivia = await Client(_api, "olivia").GetFromJsonAsync<DeviceSummary[]>("/devices");
        using var nina = await Client(_api, "nina").GetAsync("/devices");

        Assert.Equal([Acme.Device1, Acme.Device3], sam!.Select(d => d.Id));
        Assert.Equal([Acme.Device1, Acme.Device2, Acme.Device3], olivia!.Select(d => d.Id));
        Assert.Equal(HttpStatusCode.Forbidden, nina.StatusCode);
    }

    [Theory]
    [InlineData("olivia", HttpStatusCode.OK)]
    [InlineData("sam", HttpStatusCode.Forbidden)] // device:read on production and the lab only: a restricted grant
    [InlineData("nina", HttpStatusCode.Forbidden)]
    public async Task GetFleetReport_AttributeWithoutDevice_DeniesARestrictedGrant(string user, HttpStatusCode expected)
    {
        using var response = await Client(_api, user).GetAsync("/fleet/report");

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task GetAccess_CheckAsync_TellsTheReason()
    {
        var answer = await Client(_api, "sam").GetFromJsonAsync<AccessAnswer>($"/devices/{Acme.Device2}/access");

        Assert.False(answer!.Allowed);
        Assert.Equal("DeviceOutOfScope", answer.Reason);
    }

    [Theory]
    [InlineData("olivia", HttpStatusCode.Accepted)]
    [InlineData("sam", HttpStatusCode.Forbidden)]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    public async Task PostReboot_EndpointFilter_AllowsOnlyDeviceManage(string? user, HttpStatusCode expected)
    {
        using var response = await Client(_api, user).PostAsync($"/devices/{Acme.Device1}/reboot", null);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task GetDevice_AttributeDenies_AnswersProblemDetailsWithTheServicesReason()
    {
        using var response = await Client(_api, "sam").GetAsync($"/devices/{Acme.Device2}");
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(403, problem!.Status);
        Assert.Equal("Forbidden", problem.Title);
        Assert.StartsWith("DeviceOutOfScope", problem.Detail);
        Assert.Equal("DeviceOutOfScope", problem.Extensions["reason"]?.ToString());
        Assert.Equal("device:read", problem.Extensions["permission"]?.ToString());
        Assert.Equal(Acme.Device2, problem.Extensions["deviceId"]?.ToString());
    }

    [Theory]
    [InlineData("sam", "PermissionNotGranted")]
    [InlineData("mallory", "UserNotFound")]
    public async Task PostReboot_EndpointFilterDenies_AnswersProblemDetailsWithTheServicesReason(string user, string reason)
    {
        using var response = await Client(_api, user).PostAsync($"/devices/{Acme.Device1}/reboot", null);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(reason, problem!.Extensions["reason"]?.ToString());
        Assert.Equal("device:manage", problem.Extensions["permission"]?.ToString());
    }

    [Fact]
    public async Task GetFleetReport_RestrictedGrant_AnswersProblemDetailsSayingSo()
    {
        using var response = await Client(_api, "sam").GetAsync("/fleet/report");
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(PermissionDenial.Restricted, problem!.Extensions["reason"]?.ToString());
        Assert.Contains("some devices only", problem.Detail);
    }

    [Fact]
    public async Task Start_Again_WritesNothing()
    {
        var seeded = await RevisionAsync();

        await using var again = Sample(_server.Uri);
        _ = again.Server;

        Assert.Equal(seeded, await RevisionAsync());
        Assert.Equal(HttpStatusCode.OK, (await Client(again, "sam").GetAsync($"/devices/{Acme.Device1}")).StatusCode);
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
        Assert.Equal(PermissionDenial.ServiceFailed, (await attribute.Content.ReadFromJsonAsync<ProblemDetails>())!.Extensions["reason"]?.ToString());
        Assert.Equal(PermissionDenial.ServiceFailed, (await filter.Content.ReadFromJsonAsync<ProblemDetails>())!.Extensions["reason"]?.ToString());
    }

    [Fact]
    public async Task GetDevice_ServiceFailsWithAnError_FailsClosed()
    {
        _server.Faults.Fail("Check", Grpc.Core.StatusCode.Internal);

        using var response = await Client(_api, "sam").GetAsync($"/devices/{Acme.Device1}");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains(_server.Faults.CallsOf("Check"), c => c.Field<string>("user_id") == "sam");
    }

    private async Task<ulong> RevisionAsync()
    {
        var status = await _server.Admin.GetStatusAsync(new GetStatusRequest());
        return status.Accounts.Single(a => a.AccountId == SampleAccount.Id).Revision;
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

    private sealed record DeviceSummary(string Id, string Title);
}
