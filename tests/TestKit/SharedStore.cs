namespace Qbee.Authz.TestKit;

/// <summary>
/// The one store the replicas of a <see cref="ReplicaSet"/> share: a SQLite file in a folder every replica runs in
/// (one machine only), or a server database every replica connects to with its own data folder.
/// </summary>
public sealed record SharedStore(string Provider, string? DataDirectory, IReadOnlyDictionary<string, string> Settings)
{
    /// <summary><c>authz.db</c> in <paramref name="folder"/>, the working directory of every replica.</summary>
    public static SharedStore Sqlite(string folder) => new("Sqlite", folder, new Dictionary<string, string>());

    public static SharedStore Postgres(string connectionString) => new("Postgres", null, new Dictionary<string, string>
    {
        ["Authz:Store:Provider"] = "Postgres",
        ["Authz:Store:ConnectionString"] = connectionString,
    });
}
