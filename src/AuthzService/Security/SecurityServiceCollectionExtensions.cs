using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Qbee.Authz.Service.Security;

internal static class SecurityServiceCollectionExtensions
{
    /// <summary>
    /// Callers (Authz:Callers) and their table, the loopback guard, and the client CA of mutual TLS
    /// (Authz:Tls). The interceptor itself is added to the gRPC pipeline by the host, first.
    /// </summary>
    public static IServiceCollection AddAuthzSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CallerOptions>().Bind(configuration.GetSection(CallerOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CallerOptions>, CallerOptionsValidator>());
        services.AddSingleton<CallerTable>();
        services.AddHostedService<LoopbackGuard>();

        services.AddOptions<TlsOptions>().Bind(configuration.GetSection(TlsOptions.Section))
            .Validate(o => o.ClientCaPath.Length == 0 || File.Exists(o.ClientCaPath), $"{TlsOptions.Section}:ClientCaPath names no file.")
            .ValidateOnStart();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<TlsOptions>>((kestrel, tls) =>
        {
            if (tls.Value.ClientCaPath.Length == 0)
            {
                return;
            }

            var ca = X509CertificateLoader.LoadCertificateFromFile(tls.Value.ClientCaPath);
            kestrel.ConfigureHttpsDefaults(https =>
                https.ClientCertificateValidation = (certificate, _, _) => ClientCertificates.IsIssuedBy(certificate, ca));
        });
        return services;
    }
}
