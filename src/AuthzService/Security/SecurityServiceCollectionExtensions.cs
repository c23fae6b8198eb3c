using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Qbee.Authz.Service.Security;

internal static class SecurityServiceCollectionExtensions
{
    /// <summary>
    /// Callers (Authz:Callers) and their table, the loopback guard, the client CA of mutual TLS (Authz:Tls), and
    /// the redactor that keeps secrets out of logs and GetStatus. The admission runs first in Grpc's one
    /// interceptor.
    /// </summary>
    public static IServiceCollection AddSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CallerOptions>().Bind(configuration.GetSection(CallerOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CallerOptions>, CallerOptionsValidator>());
        services.AddSingleton<CallerTable>();
        services.AddSingleton<CallerAdmission>();
        services.AddHostedService<LoopbackGuard>();

        services.AddSingleton<SecretRedactor>();

        services.AddOptions<TlsOptions>().Bind(configuration.GetSection(TlsOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TlsOptions>, TlsOptionsValidator>());
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
