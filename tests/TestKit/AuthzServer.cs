using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Qbee.Authz.V1;
using AuthzApp = Qbee.Authz.Service.Hosting.AuthzApp;

namespace Qbee.Authz.TestKit;

/// <summary>
/// The real service, in process, on Kestrel over loopback at a free port, with its own SQLite file.
/// Restartable on the same data folder, to test what survives a restart. Started with
/// <see cref="ServerHooks.Faults"/>, a fault-injecting interceptor sits behind the service's own error interceptor.
/// </summary>
public sealed class AuthzServer : IAsyncDisposable
{
    private readonly ServerHooks _hooks;
    private WebApplication? _app;

    private AuthzServer(string dataDirectory, ServerHooks? hooks)
    {
        DataDirectory = dataDirectory;
        _hooks = hooks ?? new ServerHooks();
    }

    public string DataDirectory { get; }

    public string Address { get; private set; } = string.Empty;

    public Uri Uri => new(Address);

    public GrpcChannel Channel { get; private set; } = null!;

    public AdminService.AdminServiceClient Admin { get; private set; } = null!;

    public AuthorizationService.AuthorizationServiceClient Authz { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    /// <summary>What the server saw and the faults to inject; only for a server started with <see cref="ServerHooks.Faults"/>.</summary>
    public FaultInjector Faults => _hooks.Faults ?? throw new InvalidOperationException("Start the server with ServerHooks.Faults to inject faults.");

    public static async Task<AuthzServer> StartAsync(IDictionary<string, string?>? settings = null, string? dataDirectory = null, ServerHooks? hooks = null)
    {
        var server = new AuthzServer(dataDirectory ?? Path.Combine(Path.GetTempPath(), "qbee-authz-tests", Guid.NewGuid().ToString("N")), hooks);
        try
        {
            await server.StartAppAsync(settings);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

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

        _app = AuthzApp.Build(["--urls", _hooks.Url], builder =>
        {
            builder.Configuration.AddInMemoryCollection(config);
            builder.Logging.ClearProviders();
            if (_hooks.Faults is { } faults)
            {
                builder.Services.AddSingleton(faults);
                builder.Services.AddGrpc(o => o.Interceptors.Add<FaultInterceptor>());
            }

            _hooks.Configure?.Invoke(builder);
        });
        try
        {
            await _app.StartAsync();
        }
        catch
        {
            // A host that failed to start cannot be stopped, only disposed.
            await _app.DisposeAsync();
            _app = null;
            throw;
        }

        Address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()
            .Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal);
        Channel = GrpcChannel.ForAddress(Address, _hooks.Channel ?? new GrpcChannelOptions());
        Admin = new AdminService.AdminServiceClient(Channel);
        Authz = new AuthorizationService.AuthorizationServiceClient(Channel);
    }
}
