using Grpc.Core;
using Grpc.Net.Client.Configuration;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Qbee.Authz.Client.AspNetCore;
using Qbee.Authz.Client.Caching;
using Qbee.Authz.Client.Consistency;
using Qbee.Authz.Client.Gateway;
using Qbee.Authz.V1;

namespace Qbee.Authz.Client;

/// <summary>Registers the Qbee.Authz client.</summary>
public static class AuthzClientServiceCollectionExtensions
{
    internal const string AuthorizationClientName = "Qbee.Authz.Authorization";
    internal const string AdminClientName = "Qbee.Authz.Admin";

    /// <summary>
    /// Registers <see cref="IAuthzClient"/>, <see cref="IAuthzAdminClient"/>, <see cref="RemoteAccessGuard"/> and the
    /// <see cref="RequirePermissionAttribute"/> handler, whose 403s carry their reason as problem details
    /// (<see cref="PermissionProblemResultHandler"/>, unless the app registered a result handler of its own). Options are bound from the <c>QbeeAuthz</c> configuration
    /// section, then <paramref name="configure"/> runs; they are validated when the host starts.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets options in code, after the configuration section.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddQbeeAuthzClient(this IServiceCollection services, Action<AuthzClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        // Bound from IConfiguration when the container has one (a host), so plain ServiceCollections work too.
        var optionsBuilder = services.AddOptions<AuthzClientOptions>()
            .Configure<IServiceProvider>((options, sp) => sp.GetService<IConfiguration>()?.GetSection(AuthzClientOptions.Section).Bind(options));
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        optionsBuilder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthzClientOptions>, AuthzClientOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.AddGrpcClient<AuthorizationService.AuthorizationServiceClient>(AuthorizationClientName, ConfigureAddress)
            .ConfigureChannel((sp, channel) =>
            {
                var options = sp.GetRequiredService<IOptions<AuthzClientOptions>>().Value;
                ConfigureCredentials(options, channel);
                channel.ServiceConfig = new ServiceConfig { MethodConfigs = { RetryUnavailable(options) } };
            })
            .AddCallCredentials(AddToken);
        services.AddGrpcClient<AdminService.AdminServiceClient>(AdminClientName, ConfigureAddress)
            .ConfigureChannel((sp, channel) => ConfigureCredentials(sp.GetRequiredService<IOptions<AuthzClientOptions>>().Value, channel))
            .AddCallCredentials(AddToken);

        services.TryAddSingleton<RevisionTracker>();
        services.TryAddSingleton<RevocationStream>();
        services.TryAddSingleton<RevocationHub>();
        services.TryAddSingleton<DecisionCache>();
        services.TryAddTransient<IAuthzClient>(sp => new GrpcAuthzClient(
            sp.GetRequiredService<Grpc.Net.ClientFactory.GrpcClientFactory>().CreateClient<AuthorizationService.AuthorizationServiceClient>(AuthorizationClientName),
            sp.GetRequiredService<IOptions<AuthzClientOptions>>(),
            sp.GetRequiredService<RevisionTracker>(),
            sp.GetRequiredService<DecisionCache>(),
            sp.GetRequiredService<RevocationStream>()));
        services.TryAddTransient<IAuthzAdminClient>(sp => new GrpcAuthzAdminClient(
            sp.GetRequiredService<Grpc.Net.ClientFactory.GrpcClientFactory>().CreateClient<AdminService.AdminServiceClient>(AdminClientName),
            sp.GetRequiredService<IOptions<AuthzClientOptions>>(),
            sp.GetRequiredService<RevisionTracker>()));
        services.TryAddSingleton(sp => new RemoteAccessGuard(
            sp.GetRequiredService<IAuthzClient>(),
            sp.GetRequiredService<RevocationHub>(),
            sp.GetRequiredService<IOptions<AuthzClientOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<RemoteAccessGuard>>()));

        services.TryAddEnumerable(ServiceDescriptor.Transient<IAuthorizationHandler, PermissionAuthorizationHandler>());
        services.TryAddTransient<PermissionEvaluator>();
        AddProblemDetailsOnDeny(services);
        return services;
    }

    private static void ConfigureAddress(IServiceProvider services, Grpc.Net.ClientFactory.GrpcClientFactoryOptions factory)
    {
        // Validation has already refused a missing address when the host started.
        factory.Address = services.GetRequiredService<IOptions<AuthzClientOptions>>().Value.Address;
    }

    private static void ConfigureCredentials(AuthzClientOptions options, Grpc.Net.Client.GrpcChannelOptions channel)
    {
        // The validator only lets a token travel over h2c to loopback or when explicitly allowed.
        channel.UnsafeUseInsecureChannelCallCredentials = options.Address?.Scheme == Uri.UriSchemeHttp;
    }

    private static MethodConfig RetryUnavailable(AuthzClientOptions options) => new()
    {
        Names = { MethodName.Default },
        RetryPolicy = options.MaxAttempts <= 1
            ? null
            : new RetryPolicy
            {
                MaxAttempts = options.MaxAttempts,
                InitialBackoff = options.RetryInitialBackoff,
                MaxBackoff = TimeSpan.FromSeconds(1) > options.RetryInitialBackoff ? TimeSpan.FromSeconds(1) : options.RetryInitialBackoff,
                BackoffMultiplier = 2,
                RetryableStatusCodes = { StatusCode.Unavailable },
            },
    };

    private static Task AddToken(AuthInterceptorContext context, Metadata metadata, IServiceProvider services)
    {
        if (services.GetRequiredService<IOptions<AuthzClientOptions>>().Value.Token is { } token)
        {
            metadata.Add("authorization", $"Bearer {token}");
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Puts <see cref="PermissionProblemResultHandler"/> in place of the default result handler, whether
    /// <c>AddAuthorization</c> ran before (its default is replaced) or runs after (it only adds one when none is there);
    /// an app's own handler is kept.
    /// </summary>
    private static void AddProblemDetailsOnDeny(IServiceCollection services)
    {
        var current = services.LastOrDefault(d => d.ServiceType == typeof(IAuthorizationMiddlewareResultHandler));
        if (current is null || current.ImplementationType == typeof(AuthorizationMiddlewareResultHandler))
        {
            services.Replace(ServiceDescriptor.Singleton<IAuthorizationMiddlewareResultHandler, PermissionProblemResultHandler>());
        }
    }
}
