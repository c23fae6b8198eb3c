using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Telemetry;

namespace Qbee.Authz.Service.Snapshots;

internal static class SnapshotsServiceCollectionExtensions
{
    /// <summary>
    /// The live snapshots (Authz:Redis, Authz:Sync, Authz:Snapshots): the registry, its refresher, the account data in Redis and its
    /// compactor, the accounts loaded on demand and their user index, the revision sync (a hosted service), the revocation feed and its replay from the change log, and the
    /// readiness and staleness they report.
    /// </summary>
    public static IServiceCollection AddSnapshots(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SyncOptions>().Bind(configuration.GetSection(SyncOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SyncOptions>, SyncOptionsValidator>());
        services.AddOptions<SnapshotOptions>().Bind(configuration.GetSection(SnapshotOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SnapshotOptions>, SnapshotOptionsValidator>());
        services.AddOptions<StalenessOptions>().Bind(configuration.GetSection(StalenessOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StalenessOptions>, StalenessOptionsValidator>());

        services.AddSingleton<SyncFreshness>();
        services.AddSingleton<RedisConnection>();
        services.AddSingleton<RedisSnapshotCache>();
        services.AddSingleton<SnapshotCompactor>();
        services.AddSingleton<SnapshotRegistry>();
        services.AddSingleton<RevocationFeed>();
        services.AddSingleton<ISnapshotObserver>(sp => sp.GetRequiredService<RevocationFeed>());
        services.AddSingleton<RevocationLogReplay>();
        services.AddSingleton<SnapshotRefresher>();
        services.AddSingleton<UserAccountIndex>();
        services.AddSingleton<AccountLoader>();
        services.AddSingleton<Readiness>();
        services.AddSingleton<ISnapshotGauges, SnapshotGauges>();
        services.AddHostedService<RevisionSync>();
        return services;
    }
}
