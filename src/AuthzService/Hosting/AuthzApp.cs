using Microsoft.AspNetCore.Server.Kestrel.Core;
using Qbee.Authz.Service.Admin;
using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Checks;
using Qbee.Authz.Service.Grpc;
using Qbee.Authz.Service.HttpJson;
using Qbee.Authz.Service.Security;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.Service.Telemetry;

namespace Qbee.Authz.Service.Hosting;

/// <summary>Builds the service's WebApplication; the entry point and the functional tests share it.</summary>
internal static class AuthzApp
{
    public const string DefaultUrl = "http://127.0.0.1:50051";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Settings are read once, at start (IOptions, no monitors): watching appsettings*.json for changes only cost a
        // file watcher on the content root, ~0.1 s of start-up CPU (issue 18). Last on the command line, so it wins.
        var builder = WebApplication.CreateBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);
        // Lowest priority: ASPNETCORE_URLS, --urls and Kestrel__* settings override these defaults.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Kestrel:EndpointDefaults:Protocols"] = nameof(HttpProtocols.Http2),
                // ASP.NET Core's request start/finish and endpoint lines are Information: four log lines per Check.
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            },
        });
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddAuthzService(builder.Configuration);
        configure?.Invoke(builder);
        builder.AddTelemetryExport(DefaultUrl); // after configure: the exporters and the scrape port follow the final configuration
        builder.AddHttpJson(); // after the scrape port: its listeners join it

        var app = builder.Build();
        app.MapGrpcApi();
        app.MapTelemetry();
        app.MapHttpJson();
        return app;
    }

    public static IServiceCollection AddAuthzService(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);

        // Hosted services start in the order they are added and stop in reverse: start-up migrates the store and
        // loads the snapshots before the revision sync and the audit writer start; the audit writer stops late, and drains.
        services.AddHostedService<StartupInitializer>();
        services.AddStorage(configuration);
        services.AddSnapshots(configuration);
        services.AddAudit(configuration);
        services.AddChecks();
        services.AddAdmin();
        services.AddSecurity(configuration);
        services.AddTelemetry();
        services.AddGrpcApi(configuration);
        return services;
    }
}
