using System.Security.Claims;
using Qbee.Authz.Client;
using Qbee.Authz.Client.AspNetCore;
using Qbee.Authz.Samples.ApiService;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddQbeeAuthzClient();
builder.Services.AddAuthentication(DemoUserAuthentication.SchemeName)
    .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, DemoUserAuthentication>(DemoUserAuthentication.SchemeName, null);
builder.Services.AddAuthorization();
builder.Services.AddSingleton<DeviceInventory>();
builder.Services.AddHostedService<SampleAccountSeeder>(); // the sample's account, groups, devices and users, before it serves

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();

// The devices the user may read: one ResolveScope, then a filter (a real service puts the scope in its SQL WHERE).
// The handler limits itself to the user's scope, so a grant on some devices only is enough (allowRestricted);
// a user without device:read anywhere is refused (403, the reason as problem details).
app.MapGet("/devices", async (ClaimsPrincipal user, IAuthzClient authz, DeviceInventory inventory, CancellationToken cancellationToken) =>
{
    var scope = await authz.ResolveScopeAsync(user.FindFirstValue("sub")!, "device:read", cancellationToken);
    return inventory.Devices.Where(device => scope.Includes(device.Tags, device.AncestorsAndSelf)).Select(device => new { device.Id, device.Title });
}).RequirePermission("device:read", allowRestricted: true);

// A report over the whole fleet names no device and does not filter: device:read on some devices only is 403.
app.MapGet("/fleet/report", [RequirePermission("device:read")] (DeviceInventory inventory) =>
    Results.Ok(new { devices = inventory.Devices.Count }));

// One device, behind the attribute: 403 unless the user may read this device.
app.MapGet("/devices/{deviceId}", [RequirePermission("device:read", DeviceRouteValue = "deviceId")] (string deviceId, DeviceInventory inventory) =>
    inventory.Find(deviceId) is { } device ? Results.Ok(device) : Results.NotFound());

// Why (not)? The answer of a check, as the UI would show it.
app.MapGet("/devices/{deviceId}/access", async (string deviceId, ClaimsPrincipal user, IAuthzClient authz) =>
{
    var userId = user.FindFirstValue("sub")!;
    var decision = await authz.CheckAsync(userId, "device:read", deviceId);
    return Results.Ok(new { decision.Allowed, Reason = decision.Reason.ToString(), decision.Message });
}).RequireAuthorization();

// The same protection as a minimal-API endpoint filter.
app.MapPost("/devices/{deviceId}/reboot", (string deviceId) => Results.Accepted(value: new { deviceId, queued = true }))
    .RequirePermission("device:manage", deviceRouteValue: "deviceId");

app.Run();

/// <summary>The sample's entry point (public for WebApplicationFactory).</summary>
public partial class Program;
