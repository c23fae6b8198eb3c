using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Qbee.Authz.Service.Storage;

/// <summary>Stops the service at start-up on a store configuration it cannot use.</summary>
internal sealed class StoreOptionsValidator : IValidateOptions<StoreOptions>
{
    public ValidateOptionsResult Validate(string? name, StoreOptions options)
    {
        if (!string.Equals(options.Provider, StoreOptions.SqliteProvider, StringComparison.OrdinalIgnoreCase))
        {
            return ValidateOptionsResult.Fail(
                $"{StoreOptions.SectionName}:Provider '{options.Provider}' is not supported; use '{StoreOptions.SqliteProvider}' "
                + "(SqlServer is not available yet).");
        }

        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Fail($"{StoreOptions.SectionName}:ConnectionString is required.");
        }

        try
        {
            var builder = new SqliteConnectionStringBuilder(options.ConnectionString);
            if (string.IsNullOrWhiteSpace(builder.DataSource))
            {
                return ValidateOptionsResult.Fail(
                    $"{StoreOptions.SectionName}:ConnectionString must name a database file (Data Source=...).");
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            return ValidateOptionsResult.Fail(
                $"{StoreOptions.SectionName}:ConnectionString is not a valid SQLite connection string: {e.Message}");
        }

        return ValidateOptionsResult.Success;
    }
}
