extern alias server;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using AuthzApp = server::Qbee.Authz.Service.Hosting.AuthzApp;

namespace Qbee.Authz.Client.FunctionalTests;

/// <summary>
/// The real service, in process, on Kestrel over loopback at a free port, with its own SQLite file and a
/// fault-injecting interceptor (<see cref="Faults"/>) behind the service's own error interceptor.
/// </summary>
public sealed class AuthzServer : IAsyncDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "qbee-authz-client-tests", Guid.NewGuid().ToString("N"));
    private WebApplication _app = null!;

    public Uri Address { get; private set; } = null!;

    public FaultInjector Faults { get; } = new();

    public static async Task<AuthzServer> StartAsync()
    {
        var server = new AuthzServer();
        server._app = AuthzApp.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Authz:Store:ConnectionString"] = $"Data Source={Path.Combine(server._dataDirectory, "authz.db")}",
            });
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(server.Faults);
            builder.Services.AddGrpc(o => o.Interceptors.Add<FaultInterceptor>());
        });
        await server._app.StartAsync();
        server.Address = new Uri(server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
