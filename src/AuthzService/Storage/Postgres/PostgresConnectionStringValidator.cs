using Microsoft.Extensions.Options;
using Npgsql;

namespace Qbee.Authz.Service.Storage.Postgres;

/// <summary>The PostgreSQL half of <see cref="StoreOptionsValidator"/>: the connection string must name the host and the database.</summary>
internal static class PostgresConnectionStringValidator
{
    public static ValidateOptionsResult Validate(string? connectionString, string setting)
    {
        const string Example = "Host=...;Database=qbee_authz;Username=...;Password=...";
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return ValidateOptionsResult.Fail(
                $"{setting} is required with Provider '{StoreOptions.PostgresProvider}' (there is no default): {Example}");
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(builder.Host))
            {
                return ValidateOptionsResult.Fail($"{setting} must name the server (Host=...): {Example}");
            }

            // Without it Npgsql connects to the database named after the user, which would receive the schema.
            if (string.IsNullOrWhiteSpace(builder.Database))
            {
                return ValidateOptionsResult.Fail($"{setting} must name the database (Database=...): {Example}");
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            return ValidateOptionsResult.Fail($"{setting} is not a valid PostgreSQL connection string: {e.Message}");
        }

        return ValidateOptionsResult.Success;
    }
}
