using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Security;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.Grpc;

internal static class GrpcApiExtensions
{
    /// <summary>
    /// The gRPC surface: the request limits (Authz:Limits) and the message size they set, the interceptors,
    /// the revocation streams, reflection, and the health service with what each service's health follows.
    /// </summary>
    public static IServiceCollection AddGrpcApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LimitsOptions>().Bind(configuration.GetSection(LimitsOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LimitsOptions>, LimitsOptionsValidator>());
        services.AddSingleton<RevocationWatches>();
        services.AddSingleton<AuditWatches>();

        // Stateless: registered, grpc-dotnet takes the one instance instead of building one per call from its dependencies.
        services.AddSingleton<AuthorizationGrpcService>();
        services.AddSingleton<AdminGrpcService>();

        // One interceptor, one instance: registered in DI, grpc-dotnet takes it from there instead of making one per call.
        services.AddSingleton<CallInterceptor>();
        services.AddGrpc(o => o.Interceptors.Add<CallInterceptor>());
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

    public static WebApplication MapGrpcApi(this WebApplication app)
    {
        app.MapGrpcService<AuthorizationGrpcService>();
        app.MapGrpcService<AdminGrpcService>();
        app.MapGrpcReflectionService();
        app.MapGrpcHealthChecksService();
        return app;
    }
}
