namespace Qbee.Authz.Service.FaultTests;

/// <summary>
/// The store a multi-replica test runs on, made for it and removed after it: a SQLite file in a fresh folder, or
/// a fresh database on a real PostgreSQL server (the run's shared one, or one of the test's own to stop and start).
/// </summary>
internal sealed class StoreUnderTest : IAsyncDisposable
{
    private readonly string? _folder;
    private readonly PostgresServer? _sharedServer;
    private readonly string? _database;

    private StoreUnderTest(SharedStore store, string? folder, PostgresServer? ownServer, PostgresServer? sharedServer, string? database)
    {
        Store = store;
        _folder = folder;
        Server = ownServer;
        _sharedServer = sharedServer;
        _database = database;
    }

    public SharedStore Store { get; }

    /// <summary>The PostgreSQL server of the test's own (<c>ownServer</c>), to kill and restart; null otherwise.</summary>
    public PostgresServer? Server { get; }

    public static async Task<StoreUnderTest> StartAsync(string provider, bool ownServer = false)
    {
        switch (provider)
        {
            case "Sqlite":
                var folder = Path.Combine(Path.GetTempPath(), "qbee-authz-faults", Guid.NewGuid().ToString("N"));
                Directory.CreateDirectory(folder);
                return new StoreUnderTest(SharedStore.Sqlite(folder), folder, null, null, null);
            case "Postgres" when ownServer:
                var own = await PostgresServer.StartAsync();
                try
                {
                    return new StoreUnderTest(SharedStore.Postgres(await own.CreateDatabaseAsync("authz")), null, own, null, null);
                }
                catch
                {
                    await own.DisposeAsync();
                    throw;
                }

            case "Postgres":
                var shared = await PostgresServer.SharedAsync();
                var database = $"authz_replicas_{Guid.NewGuid():N}";
                return new StoreUnderTest(SharedStore.Postgres(await shared.CreateDatabaseAsync(database)), null, null, shared, database);
            default:
                throw new ArgumentOutOfRangeException(nameof(provider), provider, "Sqlite or Postgres");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        if (_sharedServer is not null)
        {
            await _sharedServer.DropDatabaseAsync(_database!);
        }

        if (_folder is not null)
        {
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }
}
