using Microsoft.Extensions.DependencyInjection;
using Qbee.Authz.Client.Caching;
using Qbee.Authz.Client.Gateway;

namespace Qbee.Authz.Client.FunctionalTests;

/// <summary>A container with the client registered exactly as a service would, pointed at the test server.</summary>
public sealed class ClientHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public ClientHost(AuthzServer server, Action<AuthzClientOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddQbeeAuthzClient(o =>
        {
            o.Address = server.Address;
            configure?.Invoke(o);
        });
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public IAuthzClient Client => _services.GetRequiredService<IAuthzClient>();

    public IAuthzAdminClient Admin => _services.GetRequiredService<IAuthzAdminClient>();

    public RemoteAccessGuard Guard => _services.GetRequiredService<RemoteAccessGuard>();

    internal DecisionCache Cache => _services.GetRequiredService<DecisionCache>();

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
