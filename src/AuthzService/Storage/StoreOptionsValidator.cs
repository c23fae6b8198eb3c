using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Storage.Postgres;
using Qbee.Authz.Service.Storage.Sqlite;
using Qbee.Authz.Service.Storage.SqlServer;

namespace Qbee.Authz.Service.Storage;

/// <summary>Stops the service at start-up on a store configuration it cannot use.</summary>
internal sealed class StoreOptionsValidator : IValidateOptions<StoreOptions>
{
    private const string Setting = StoreOptions.SectionName + ":ConnectionString";

    public ValidateOptionsResult Validate(string? name, StoreOptions options)
    {
        if (options.IsSqlite)
        {
            return SqliteConnectionStringValidator.Validate(options.EffectiveConnectionString, Setting);
        }

        if (options.IsPostgres)
        {
            return PostgresConnectionStringValidator.Validate(options.ConnectionString, Setting);
        }

        if (options.IsSqlServer)
        {
            return SqlServerConnectionStringValidator.Validate(options.ConnectionString, Setting);
        }

        return ValidateOptionsResult.Fail(
            $"{StoreOptions.SectionName}:Provider '{options.Provider}' is not supported; use '{StoreOptions.SqliteProvider}', "
            + $"'{StoreOptions.PostgresProvider}' or '{StoreOptions.SqlServerProvider}'.");
    }
}
