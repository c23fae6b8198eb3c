using Microsoft.Data.SqlClient;
using Microsoft.Extensions.Options;

namespace Qbee.Authz.Service.Storage.SqlServer;

/// <summary>The SQL Server half of <see cref="StoreOptionsValidator"/>: the connection string must name the server and the database.</summary>
internal static class SqlServerConnectionStringValidator
{
    public static ValidateOptionsResult Validate(string? connectionString, string setting)
    {
        const string Example = "Server=...;Database=qbee_authz;User Id=...;Password=...";
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return ValidateOptionsResult.Fail(
                $"{setting} is required with Provider '{StoreOptions.SqlServerProvider}' (there is no default): {Example}");
        }

        try
        {
            var builder = new SqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(builder.DataSource))
            {
                return ValidateOptionsResult.Fail($"{setting} must name the server (Server=...): {Example}");
            }

            // Without it the login's default database (often master) would receive the schema.
            if (string.IsNullOrWhiteSpace(builder.InitialCatalog))
            {
                return ValidateOptionsResult.Fail($"{setting} must name the database (Database=...): {Example}");
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            return ValidateOptionsResult.Fail($"{setting} is not a valid SQL Server connection string: {e.Message}");
        }

        return ValidateOptionsResult.Success;
    }
}
