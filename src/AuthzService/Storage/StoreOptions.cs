namespace Qbee.Authz.Service.Storage;

/// <summary>The SQL store: configuration section <c>Authz:Store</c>.</summary>
internal sealed class StoreOptions
{
    public const string SectionName = "Authz:Store";
    public const string SqliteProvider = "Sqlite";

    /// <summary><c>Sqlite</c> (the default). <c>SqlServer</c> comes with its dialect.</summary>
    public string Provider { get; set; } = SqliteProvider;

    /// <summary>A relative SQLite path is relative to the current directory; its directory is created.</summary>
    public string ConnectionString { get; set; } = "Data Source=data/authz.db";
}
