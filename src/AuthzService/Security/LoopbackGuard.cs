using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

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

        Refuse(ConfiguredUrls()); // first: a refused start must not have said "loopback only" just before
        SecurityLog.NoCallersLoopbackOnly(logger);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The configured URLs, checked before the host starts (Program.cs): a refusal is logged once, with its reason,
    /// and the host is never started, so it has no failed start to report with a stack trace. A malformed caller
    /// list is left to the start, which reports it. <see cref="StartingAsync"/> checks again for hosts started
    /// otherwise (the tests' in-process server).
    /// </summary>
    public static bool RefusesToStart(IServiceProvider services)
    {
        try
        {
            return ActivatorUtilities.CreateInstance<LoopbackGuard>(services).RefusesConfiguredUrls();
        }
        catch (OptionsValidationException)
        {
            return false;
        }
    }

    private bool RefusesConfiguredUrls()
    {
        try
        {
            if (callers.IsEmpty)
            {
                Refuse(ConfiguredUrls());
            }

            return false;
        }
        catch (InvalidOperationException e) when (IsRefusal(e))
        {
            return true;
        }
    }

    // The gRPC URLs, Kestrel's endpoints and the HTTP/JSON listeners (Authz:Http:Urls, bound in code, so Kestrel's
    // own configuration does not list them).
    private IEnumerable<string> ConfiguredUrls() =>
        SplitUrls(configuration[WebHostDefaults.ServerUrlsKey])
            .Concat(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>())
            .Concat(SplitUrls(configuration["Authz:Http:Urls"]));

    private static string[] SplitUrls(string? urls) =>
        (urls ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

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
            + "Configure callers (make a token with: dotnet run -c Release --project src/AuthzService -- new-token --name NAME --scopes check) "
            + "or listen on 127.0.0.1 only.";
        SecurityLog.ExposedWithoutCallers(logger, message);
        throw new InvalidOperationException(message) { Data = { [RefusalMarker] = true } };
    }
}
