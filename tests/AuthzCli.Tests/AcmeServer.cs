namespace Qbee.Authz.Cli.Tests;

/// <summary>One real server per test class, holding <see cref="Acme"/>; tests that write use accounts of their own.</summary>
public sealed class AcmeServer : IAsyncLifetime
{
    public AuthzServer Server { get; private set; } = null!;

    public ulong Revision { get; private set; }

    public async Task InitializeAsync()
    {
        Server = await AuthzServer.StartAsync();
        Revision = await Acme.CreateAsync(Server);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
