namespace Qbee.Authz.Service.Storage;

/// <summary>The SQL store: configuration section <c>Authz:Store</c>.</summary>
internal sealed class StoreOptions
{
    public const string SectionName = "Authz:Store";
    public const string SqliteProvider = "Sqlite";
    public const string SqlServerProvider = "SqlServer";
    public const string PostgresProvider = "Postgres";
    public const string DefaultSqliteConnectionString = "Data Source=data/authz.db";

    /// <summary><c>Sqlite</c> (the default), <c>Postgres</c> or <c>SqlServer</c>.</summary>
    public string Provider { get; set; } = SqliteProvider;

    /// <summary>
    /// Unset means <see cref="DefaultSqliteConnectionString"/> for SQLite (a relative path is relative to the current
    /// directory; its directory is created); PostgreSQL and SQL Server have none.
    /// </summary>
    public string? ConnectionString { get; set; }

    public bool IsSqlServer => string.Equals(Provider, SqlServerProvider, StringComparison.OrdinalIgnoreCase);

    public bool IsPostgres => string.Equals(Provider, PostgresProvider, StringComparison.OrdinalIgnoreCase);

    public bool IsSqlite => string.Equals(Provider, SqliteProvider, StringComparison.OrdinalIgnoreCase);

    /// <summary>The connection string in force, the provider's default applied.</summary>
    public string EffectiveConnectionString => ConnectionString ?? (IsSqlite ? DefaultSqliteConnectionString : string.Empty);

    /// <summary>
    /// Where the data is, for the start-up log and nothing secret: SQLite's file as a full path (so an operator
    /// knows what to back up or delete), SQL Server's server and database.
    /// </summary>
    public string DescribeLocation()
    {
        if (IsSqlite)
        {
            var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(EffectiveConnectionString).DataSource;
            return file is "" or ":memory:" || file.StartsWith("file:", StringComparison.Ordinal) ? file : Path.GetFullPath(file);
        }

        if (IsPostgres)
        {
            var postgres = new Npgsql.NpgsqlConnectionStringBuilder(EffectiveConnectionString);
            return $"{postgres.Host}:{postgres.Port}, database {postgres.Database}";
        }

        var server = new Microsoft.Data.SqlClient.SqlConnectionStringBuilder(EffectiveConnectionString);
        return $"{server.DataSource}, database {server.InitialCatalog}";
    }
}
