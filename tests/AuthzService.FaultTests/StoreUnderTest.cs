namespace Qbee.Authz.Service.FaultTests;

/// <summary>
/// The store a multi-replica test runs on, made for it and removed after it: a SQLite file in a fresh folder, or
/// a fresh database on a real PostgreSQL server started for the test.
/// </summary>
internal sealed class StoreUnderTest : IAsyncDisposable
{
    private readonly string? _folder;

    private StoreUnderTest(SharedStore store, string? folder)
    {
        Store = store;
        _folder = folder;
    }

    public SharedStore Store { get; }

    public static Task<StoreUnderTest> StartAsync(string provider)
    {
        switch (provider)
        {
            case "Sqlite":
                var folder = Path.Combine(Path.GetTempPath(), "qbee-authz-faults", Guid.NewGuid().ToString("N"));
                Directory.CreateDirectory(folder);
                return Task.FromResult(new StoreUnderTest(SharedStore.Sqlite(folder), folder));
            default:
                throw new ArgumentOutOfRangeException(nameof(provider), provider, "Sqlite or Postgres");
        }
    }

    public ValueTask DisposeAsync()
    {
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

        return ValueTask.CompletedTask;
    }
}
