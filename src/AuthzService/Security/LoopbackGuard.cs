using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Qbee.Authz.Service.Security;

/// <summary>
/// With no callers configured the service trusts loopback only: it says so in its log, and refuses to start
/// on an address other machines can reach. It checks the configured URLs before Kestrel binds, and the
/// addresses Kestrel actually bound (code-configured endpoints included) once it has.
/// </summary>
internal sealed class LoopbackGuard(CallerTable callers, IConfiguration configuration, IServer server, ILogger<LoopbackGuard> logger)
    : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        if (!callers.IsEmpty)
        {
            SecurityLog.CallersConfigured(logger, callers.Count);
            return Task.CompletedTask;
        }

        var configured = (configuration[WebHostDefaults.ServerUrlsKey] ?? string.Empty)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>());
        Refuse(configured); // first: a refused start must not have said "loopback only" just before
        SecurityLog.NoCallersLoopbackOnly(logger);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (callers.IsEmpty && server.Features.Get<IServerAddressesFeature>() is { } addresses)
        {
            Refuse(addresses.Addresses);
        }

        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Whether <paramref name="exception"/> is this guard's refusal, already logged with its reason.</summary>
    public static bool IsRefusal(Exception exception) => exception.Data.Contains(RefusalMarker);

    private const string RefusalMarker = "qbee-authz:loopback-refusal";

    /// <summary>True for localhost and loopback IP addresses; false for wildcards (*, +, 0.0.0.0, [::]) and host names.</summary>
    public static bool IsLoopbackUrl(string url)
    {
        string host;
        try
        {
            host = BindingAddress.Parse(url).Host.Trim('[', ']');
        }
        catch (FormatException)
        {
            return false;
        }

        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && CallerTable.IsLoopback(address));
    }

    private void Refuse(IEnumerable<string> urls)
    {
        var exposed = urls.Where(u => !IsLoopbackUrl(u)).ToList();
        if (exposed.Count == 0)
        {
            return;
        }

        var message = $"Refusing to start: the service listens on {string.Join(", ", exposed)}, which is not loopback, "
            + $"and no callers are configured ({CallerOptions.Key}), so anyone who can reach it could call it. "
            + "Configure callers (make a token with: dotnet run --project src/AuthzService -- new-token --name NAME --scopes check) "
            + "or listen on 127.0.0.1 only.";
        SecurityLog.ExposedWithoutCallers(logger, message);
        throw new InvalidOperationException(message) { Data = { [RefusalMarker] = true } };
    }
}
