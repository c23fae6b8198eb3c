extern alias server;

using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Qbee.Authz.V1;
using AuthzApp = server::Qbee.Authz.Service.Hosting.AuthzApp;

namespace Qbee.Authz.Service.FunctionalTests;

/// <summary>
/// The real service, in process, on Kestrel over loopback at a free port, with its own SQLite file.
/// Restartable on the same data folder, to test what survives a restart.
/// </summary>
public sealed class AuthzServer : IAsyncDisposable
{
    private WebApplication? _app;

    private AuthzServer(string dataDirectory)
    {
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }

    public string Address { get; private set; } = string.Empty;

    public GrpcChannel Channel { get; private set; } = null!;

    public AdminService.AdminServiceClient Admin { get; private set; } = null!;

    public AuthorizationService.AuthorizationServiceClient Authz { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    public static async Task<AuthzServer> StartAsync(IDictionary<string, string?>? settings = null, string? dataDirectory = null)
    {
        var server = new AuthzServer(dataDirectory ?? Path.Combine(Path.GetTempPath(), "qbee-authz-tests", Guid.NewGuid().ToString("N")));
        await server.StartAppAsync(settings);
        return server;
    }

    /// <summary>Stops the service gracefully (draining the audit queue) and starts it again on the same data.</summary>
    public async Task RestartAsync(IDictionary<string, string?>? settings = null)
    {
        await StopAppAsync();
        await StartAppAsync(settings);
    }

    public async Task StopAppAsync()
    {
        if (_app is not null)
        {
            Channel.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAppAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private async Task StartAppAsync(IDictionary<string, string?>? settings)
    {
        var config = new Dictionary<string, string?>
        {
            ["Authz:Store:ConnectionString"] = $"Data Source={Path.Combine(DataDirectory, "authz.db")}",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        _app = AuthzApp.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(config);
            builder.Logging.ClearProviders();
        });
        await _app.StartAsync();
        Address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Channel = GrpcChannel.ForAddress(Address);
        Admin = new AdminService.AdminServiceClient(Channel);
        Authz = new AuthorizationService.AuthorizationServiceClient(Channel);
    }
}
