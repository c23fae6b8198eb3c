using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.Service.Telemetry;

namespace Qbee.Authz.Service.Audit;

internal static class AuditServiceCollectionExtensions
{
    /// <summary>
    /// The audit trail (Authz:Audit): the queue checks append to, its writer and the retention purger (hosted
    /// services; the writer is registered first so it stops after the purger, and drains), and the watches that
    /// follow it (woken by the writer's commits and by snapshot swaps).
    /// </summary>
    public static IServiceCollection AddAudit(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuditOptions>().Bind(configuration.GetSection(AuditOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuditOptions>, AuditOptionsValidator>());

        services.AddSingleton<AuditQueue>();
        services.AddSingleton(sp => sp.GetRequiredService<AuditQueue>().Commits);
        services.AddSingleton<ISnapshotObserver>(sp => sp.GetRequiredService<AuditCommitSignal>());
        services.AddSingleton<AuditWatchers>();
        services.AddSingleton<IAuditGauges, AuditGauges>();
        services.AddSingleton<AuditWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditWriter>());
        services.AddSingleton<AuditPurger>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditPurger>());
        return services;
    }
}
