using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Admin;
using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.Service.Checks;
using Qbee.Authz.Service.Grpc;
using Qbee.Authz.Service.Security;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.Service.Telemetry;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.Hosting;

/// <summary>Builds the service's WebApplication; the entry point and the functional tests share it.</summary>
internal static class AuthzApp
{
    public const string DefaultUrl = "http://127.0.0.1:50051";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        // Lowest priority: ASPNETCORE_URLS, --urls and Kestrel__* settings override these defaults.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Kestrel:EndpointDefaults:Protocols"] = nameof(HttpProtocols.Http2),
            },
        });
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddAuthzService(builder.Configuration);
        configure?.Invoke(builder);
        builder.AddAuthzTelemetry(DefaultUrl); // after configure: the exporters and the scrape port follow the final configuration

        var app = builder.Build();
        app.MapAuthzService();
        app.MapAuthzTelemetry();
        return app;
    }

    public static IServiceCollection AddAuthzService(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddAuthzStore(configuration);
        services.AddOptions<AuditOptions>().Bind(configuration.GetSection(AuditOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        services.AddOptions<SyncOptions>().Bind(configuration.GetSection(SyncOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StalenessOptions>().Bind(configuration.GetSection(StalenessOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<StalenessOptions>, StalenessOptionsValidator>();
        services.AddSingleton<SyncFreshness>();
        services.AddSingleton<SecretRedactor>();
        services.AddSingleton<RedisConnection>();
        services.AddSingleton<RedisSnapshotCache>();
        services.AddSingleton<SnapshotRegistry>();
        services.AddSingleton<RevocationFeed>();
        services.AddSingleton<ISnapshotObserver>(sp => sp.GetRequiredService<RevocationFeed>());
        services.AddSingleton<RevocationWatches>();
        services.AddSingleton<SnapshotRefresher>();
        services.AddSingleton<UserResolver>();
        services.AddSingleton<CheckEngine>();
        services.AddSingleton<ScopeQueries>();
        services.AddSingleton<AdminCommands>();
        services.AddSingleton<AuditQueue>();
        services.AddSingleton<ServiceStatus>();
        services.AddSingleton<Readiness>();
        services.AddAuthzMetrics();

        // Order matters: start-up loads snapshots first; the audit writer stops last and drains.
        services.AddHostedService<StartupInitializer>();
        services.AddHostedService<RevisionSync>();
        services.AddSingleton<AuditWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditWriter>());

        services.AddOptions<LimitsOptions>().Bind(configuration.GetSection(LimitsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddAuthzSecurity(configuration);
        services.AddSingleton<AuditPurger>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditPurger>());

        // The caller check first: a refused call reaches nothing else.
        services.AddGrpc(o =>
        {
            o.Interceptors.Add<CallerInterceptor>();
            o.Interceptors.Add<ErrorInterceptor>();
        });
        services.AddOptions<global::Grpc.AspNetCore.Server.GrpcServiceOptions>().Configure<IOptions<LimitsOptions>>((grpc, limits) =>
            grpc.MaxReceiveMessageSize = limits.Value.MaxMessageBytes);
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<LimitsOptions>>((kestrel, limits) =>
            kestrel.Limits.MaxRequestBodySize = limits.Value.MaxMessageBytes + 1024); // + gRPC framing
        services.AddGrpcReflection();
        services.AddGrpcHealthChecks(o =>
            {
                // Staleness takes only the checks out of rotation: the process stays live, and admin writes go to SQL.
                o.Services.Map(string.Empty, r => r.Name != StalenessHealthCheck.Name);
                o.Services.Map(AuthorizationService.Descriptor.FullName, _ => true);
                o.Services.Map(AdminService.Descriptor.FullName, r => r.Name != StalenessHealthCheck.Name);
            })
            .AddCheck<Readiness>("ready")
            .AddCheck<RedisHealthCheck>("redis")
            .AddCheck<StalenessHealthCheck>(StalenessHealthCheck.Name);
        return services;
    }

    public static WebApplication MapAuthzService(this WebApplication app)
    {
        app.MapGrpcService<AuthorizationGrpcService>();
        app.MapGrpcService<AdminGrpcService>();
        app.MapGrpcReflectionService();
        app.MapGrpcHealthChecksService();
        return app;
    }
}
