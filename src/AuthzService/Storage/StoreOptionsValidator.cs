using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Qbee.Authz.Service.Storage;

/// <summary>Stops the service at start-up on a store configuration it cannot use.</summary>
internal sealed class StoreOptionsValidator : IValidateOptions<StoreOptions>
{
    private const string Setting = StoreOptions.SectionName + ":ConnectionString";

    public ValidateOptionsResult Validate(string? name, StoreOptions options)
    {
        if (options.IsSqlite)
        {
            return ValidateSqlite(options.EffectiveConnectionString);
        }

        if (options.IsSqlServer)
        {
            return ValidateSqlServer(options.ConnectionString);
        }

        return ValidateOptionsResult.Fail(
            $"{StoreOptions.SectionName}:Provider '{options.Provider}' is not supported; use '{StoreOptions.SqliteProvider}' "
            + $"or '{StoreOptions.SqlServerProvider}'.");
    }

    private static ValidateOptionsResult ValidateSqlite(string connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return ValidateOptionsResult.Fail($"{Setting} is required.");
        }

        try
        {
            var builder = new SqliteConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(builder.DataSource))
            {
                return ValidateOptionsResult.Fail($"{Setting} must name a database file (Data Source=...).");
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            return ValidateOptionsResult.Fail($"{Setting} is not a valid SQLite connection string: {e.Message}");
        }

        return ValidateOptionsResult.Success;
    }

    private static ValidateOptionsResult ValidateSqlServer(string? connectionString)
    {
        const string Example = "Server=...;Database=qbee_authz;User Id=...;Password=...";
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return ValidateOptionsResult.Fail(
                $"{Setting} is required with Provider '{StoreOptions.SqlServerProvider}' (there is no default): {Example}");
        }

        try
        {
            var builder = new SqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(builder.DataSource))
            {
                return ValidateOptionsResult.Fail($"{Setting} must name the server (Server=...): {Example}");
            }

            // Without it the login's default database (often master) would receive the schema.
            if (string.IsNullOrWhiteSpace(builder.InitialCatalog))
            {
                return ValidateOptionsResult.Fail($"{Setting} must name the database (Database=...): {Example}");
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            return ValidateOptionsResult.Fail($"{Setting} is not a valid SQL Server connection string: {e.Message}");
        }

        return ValidateOptionsResult.Success;
    }
}
