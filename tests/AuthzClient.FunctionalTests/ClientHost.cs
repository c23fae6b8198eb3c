using Microsoft.Extensions.DependencyInjection;
using Qbee.Authz.Client.Caching;
using Qbee.Authz.Client.Consistency;
using Qbee.Authz.Client.Gateway;

namespace Qbee.Authz.Client.FunctionalTests;

/// <summary>A container with the client registered exactly as a service would, pointed at the test server.</summary>
public sealed class ClientHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    /// <param name="server">The service.</param>
    /// <param name="configure">Options on top of the server's address.</param>
    /// <param name="time">The client's clock (watch back-off, cache time-to-live, the guard's re-checks); the system's by default.</param>
    public ClientHost(AuthzServer server, Action<AuthzClientOptions>? configure = null, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddQbeeAuthzClient(o =>
        {
            o.Address = server.Uri;
            configure?.Invoke(o);
        });
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public IAuthzClient Client => _services.GetRequiredService<IAuthzClient>();

    public IAuthzAdminClient Admin => _services.GetRequiredService<IAuthzAdminClient>();

    public RemoteAccessGuard Guard => _services.GetRequiredService<RemoteAccessGuard>();

    internal DecisionCache Cache => _services.GetRequiredService<DecisionCache>();

    internal RevocationHub Hub => _services.GetRequiredService<RevocationHub>();

    /// <summary>Starts the account's revocation watch (as a cache or guard would) and waits until it is connected.</summary>
    internal async Task ConnectWatchAsync(string accountId)
    {
        Hub.Subscribe(accountId, static _ => { }).Dispose(); // the watch runs on without the subscription
        await Until(() => Hub.IsConnected(accountId));
    }

    /// <summary>Polls a condition until it holds; fails after 20 s.</summary>
    internal static async Task Until(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(10, deadline.Token);
        }
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
