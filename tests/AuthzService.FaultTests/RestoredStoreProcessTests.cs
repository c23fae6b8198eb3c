using Microsoft.Data.Sqlite;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.FaultTests;

/// <summary>
/// Finding 4 of issue 14: a store restored from an older copy, with Redis ahead of it from the other history.
/// The store is the truth: the replica serves it, rewrites Redis, and a write on it is visible at its revision.
/// </summary>
public sealed class RestoredStoreProcessTests : IAsyncLifetime
{
    private const string Acme = "acme";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly string _copyDirectory = Path.Combine(Path.GetTempPath(), "qbee-authz-faults", Guid.NewGuid().ToString("N"));
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        try
        {
            Directory.Delete(_copyDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    [Fact]
    public async Task ReplicaOnACopyAtRevision5_RedisAt15_DeletedUserIsNotFoundAtTheDeletesRevision()
    {
        var settings = new Dictionary<string, string> { ["Authz:Redis:Configuration"] = _redis.Configuration };
        await AssertCopyIsTheTruthAsync(
            settings, null,
            original =>
            {
                BackUp(original.DatabasePath, Path.Combine(_copyDirectory, "authz.db"));
                return Task.CompletedTask;
            },
            settings, _copyDirectory);
    }

    [Fact]
    public async Task ReplicaOnAPostgresCopyAtRevision5_RedisAt15_DeletedUserIsNotFoundAtTheDeletesRevision()
    {
        // A file-level copy while the service is stopped: CREATE DATABASE ... TEMPLATE copies the database's files.
        var server = await PostgresServer.SharedAsync();
        var name = $"authz_restored_{Guid.NewGuid():N}";
        var original = SharedStore.Postgres(await server.CreateDatabaseAsync(name + "_original"));
        try
        {
            var restored = SharedStore.Postgres(server.ConnectionString(name));
            await AssertCopyIsTheTruthAsync(
                WithRedis(original.Settings), null,
                async service =>
                {
                    await service.StopAsync();
                    await server.CopyDatabaseAsync(name + "_original", name);
                    await service.RestartAsync();
                },
                WithRedis(restored.Settings), null);
        }
        finally
        {
            await server.DropDatabaseAsync(name + "_original");
            await server.DropDatabaseAsync(name);
        }
    }

    private Dictionary<string, string> WithRedis(IReadOnlyDictionary<string, string> store) =>
        new(store) { ["Authz:Redis:Configuration"] = _redis.Configuration };

    /// <summary>
    /// Writes to revision 5, copies the store there (<paramref name="copyAtFive"/>), writes on to 15 with Redis
    /// following, then runs a replica on the copy with that Redis: the copy is the truth.
    /// </summary>
    private static async Task AssertCopyIsTheTruthAsync(
        Dictionary<string, string> settings, string? dataDirectory, Func<ServiceProcess, Task> copyAtFive,
        Dictionary<string, string> restoredSettings, string? restoredDirectory)
    {
        await using var original = await ServiceProcess.StartAsync(settings, dataDirectory);
        await original.Admin.CreateAccountAsync(Fleet.Account(Acme, "olivia"));
        await original.Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "auditor", ("audit:read", [])) });
        await original.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "bob", "auditor") });
        await original.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Fleet.DeviceId(1), "") });
        var atFive = await original.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Fleet.DeviceId(2), "") });
        Assert.Equal(5ul, atFive.Revision);
        await copyAtFive(original);
        for (var i = 3; i < 13; i++)
        {
            await original.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Fleet.DeviceId(i), "") });
        }

        var beforeRestore = await original.Authz.CheckAsync(
            new CheckRequest { UserId = "bob", Permission = "audit:read", MinRevision = 15 }, deadline: DateTime.UtcNow + Deadline);
        Assert.Equal((true, 15ul), (beforeRestore.Allowed, beforeRestore.Revision));
        await original.StopAsync();

        await using var restored = await ServiceProcess.StartAsync(restoredSettings, restoredDirectory);
        var deleted = await restored.Admin.DeleteUserAsync(new DeleteUserRequest { AccountId = Acme, UserId = "bob" });
        var bob = await restored.Authz.CheckAsync(
            new CheckRequest { UserId = "bob", Permission = "audit:read", MinRevision = deleted.Revision }, deadline: DateTime.UtcNow + Deadline);
        var status = Assert.Single((await restored.Admin.GetStatusAsync(new GetStatusRequest())).Accounts);

        Assert.Equal(6ul, deleted.Revision);
        Assert.False(bob.Allowed, $"bob answered {bob.Reason} at revision {bob.Revision}");
        Assert.Equal(DecisionReason.UserNotFound, bob.Reason);
        Assert.Equal((6ul, 6ul), (status.Revision, status.SnapshotRevision));
        // Said once, naming the account and both versions.
        var divergence = Assert.Single(restored.LogLines, line => line.Contains("Redis holds version", StringComparison.Ordinal));
        Assert.Contains("Account acme", divergence, StringComparison.Ordinal);

        // Redis now holds the restored history: a second replica on the copy starts from it at revision 6.
        await using var second = await ServiceProcess.StartAsync(restoredSettings, restoredDirectory);
        var olivia = await second.Authz.CheckAsync(new CheckRequest { UserId = "olivia", Permission = "audit:read", MinRevision = 6 }, deadline: DateTime.UtcNow + Deadline);
        Assert.Equal(6ul, olivia.Revision);
        Assert.DoesNotContain(second.LogLines, line => line.Contains("Redis holds version", StringComparison.Ordinal));
    }

    /// <summary>An online backup, as <c>sqlite3 authz.db ".backup copy.db"</c> takes it from a running service.</summary>
    private static void BackUp(string databasePath, string copyPath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(copyPath)!);
        using var source = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        using var target = new SqliteConnection($"Data Source={copyPath};Pooling=False");
        source.Open();
        target.Open();
        source.BackupDatabase(target);
    }
}
