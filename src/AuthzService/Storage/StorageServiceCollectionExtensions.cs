using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Storage.Postgres;
using Qbee.Authz.Service.Storage.Sqlite;
using Qbee.Authz.Service.Storage.SqlServer;

namespace Qbee.Authz.Service.Storage;

internal static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the SQL store from <c>Authz:Store</c>, validated at start-up, and the change log's retention purger
    /// (<c>Authz:ChangeLog</c>). The host still calls <see cref="IAuthzStore.InitializeAsync"/> before serving, to
    /// apply the migrations.
    /// </summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StoreOptions>().Bind(configuration.GetSection(StoreOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StoreOptions>, StoreOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IAuthzStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StoreOptions>>().Value;
            var timeProvider = sp.GetRequiredService<TimeProvider>();
            return options.IsSqlServer
                ? new SqlAuthzStore(new SqlServerConnectionFactory(options.EffectiveConnectionString), SqlServerDialect.Instance, timeProvider)
                : options.IsPostgres
                ? new SqlAuthzStore(new PostgresConnectionFactory(options.EffectiveConnectionString), PostgresDialect.Instance, timeProvider)
                : new SqlAuthzStore(new SqliteConnectionFactory(options.EffectiveConnectionString), SqliteDialect.Instance, timeProvider);
        });

        // Resolved through IAuthzStore, so a test that replaces the store replaces its audit half too.
        services.TryAddSingleton<IAuditStore>(sp => sp.GetRequiredService<IAuthzStore>());

        services.AddOptions<ChangeLogOptions>().Bind(configuration.GetSection(ChangeLogOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChangeLogOptions>, ChangeLogOptionsValidator>());
        services.AddSingleton<ChangeLogPurger>();
        services.AddHostedService(sp => sp.GetRequiredService<ChangeLogPurger>());
        return services;
    }
}
