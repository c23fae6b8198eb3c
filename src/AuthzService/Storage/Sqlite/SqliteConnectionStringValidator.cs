using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Qbee.Authz.Service.Storage.Sqlite;

/// <summary>The SQLite half of <see cref="StoreOptionsValidator"/>: the connection string must name a database file.</summary>
internal static class SqliteConnectionStringValidator
{
    public static ValidateOptionsResult Validate(string connectionString, string setting)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return ValidateOptionsResult.Fail($"{setting} is required.");
        }

        try
        {
            var builder = new SqliteConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(builder.DataSource))
            {
                return ValidateOptionsResult.Fail($"{setting} must name a database file (Data Source=...).");
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            return ValidateOptionsResult.Fail($"{setting} is not a valid SQLite connection string: {e.Message}");
        }

        return ValidateOptionsResult.Success;
    }
}
