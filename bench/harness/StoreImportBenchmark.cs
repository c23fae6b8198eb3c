using System.Diagnostics;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.Service.Storage.Postgres;
using Qbee.Authz.Service.Storage.Sqlite;
using Qbee.Authz.TestKit;
using Qbee.Authz.TestKit.Accounts;

namespace Qbee.Authz.Harness;

/// <summary>
/// <c>--store-import [devices]</c>: the store alone, no service and no stream, on SQLite (a temp file) and PostgreSQL
/// (TestKit's server, a new database): ImportAccount of the generated account (<see cref="AccountGenerator"/>) as a
/// new account, then again with replace, then 10 PutNodes of 1,000 new devices into a second account (seeding).
/// Each a Stopwatch around the store call: what the statements cost, apart from reading the stream and compiling.
/// </summary>
internal static class StoreImportBenchmark
{
    private const int SeedBatches = 10;
    private const int SeedBatchSize = 1_000;

    public static async Task<int> RunAsync(int devices)
    {
        Console.WriteLine($"store import benchmark: {devices:N0} devices; {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        var data = AccountGenerator.Generate(devices);
        var import = new AccountImport(
            data.Account, false, data.Roles, data.Users, data.Nodes, data.RemoteAccessSettings,
            [.. data.Users.Select((_, i) => $"records[{i}].user")], [.. data.Nodes.Select((_, i) => $"records[{i}].node")],
            new AccountCounts(data.Roles.Count, data.Users.Count, data.Nodes.Count, data.RemoteAccessSettings.Count));
        Console.WriteLine($"account: {data.Roles.Count} roles, {data.Users.Count:N0} users, {data.Nodes.Count:N0} nodes, "
            + $"{data.Nodes.Sum(n => n.Tags.Count):N0} tags, {data.RemoteAccessSettings.Count:N0} settings");

        var directory = Path.Combine(Path.GetTempPath(), "qbee-authz-store-import", Guid.NewGuid().ToString("N"));
        try
        {
            await RunAsync("sqlite", new SqliteConnectionFactory($"Data Source={Path.Combine(directory, "authz.db")}"), SqliteDialect.Instance, import);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        await using var server = await PostgresServer.StartAsync();
        await using var postgres = new PostgresConnectionFactory(await server.CreateDatabaseAsync());
        await RunAsync("postgres", postgres, PostgresDialect.Instance, import);
        return 0;
    }

    private static async Task RunAsync(string provider, IStoreConnectionFactory connections, SqlDialect dialect, AccountImport import)
    {
        var store = new SqlAuthzStore(connections, dialect, TimeProvider.System);
        await store.InitializeAsync(CancellationToken.None);

        var created = Stopwatch.StartNew();
        await store.ImportAccountAsync(import, Audit("admin.ImportAccount"), CancellationToken.None);
        Console.WriteLine($"{provider}: import (new account) {created.Elapsed.TotalSeconds:F2} s");

        var replaced = Stopwatch.StartNew();
        await store.ImportAccountAsync(import with { Replace = true }, Audit("admin.ImportAccount"), CancellationToken.None);
        Console.WriteLine($"{provider}: import (replace) {replaced.Elapsed.TotalSeconds:F2} s");

        const string seeded = "seeded";
        await store.CreateAccountAsync(
            new AccountRecord(seeded, "Seeded", 0), new RoleRecord(seeded, "default", "Default", "", []),
            new UserRecord(seeded, "seeded-owner", "owner@seeded.example", "", "", ["default"], UserState.Active),
            Audit("admin.CreateAccount"), CancellationToken.None);
        var seeding = Stopwatch.StartNew();
        for (var batch = 0; batch < SeedBatches; batch++)
        {
            var nodes = Enumerable.Range(batch * SeedBatchSize, SeedBatchSize)
                .Select(i => new NodeRecord(seeded, $"seeded-device-{i:D6}", NodeKind.Device, "", $"device {i}", ["seeded", $"batch-{batch}"], false))
                .ToList();
            await store.PutNodesAsync(seeded, nodes, Audit("admin.PutNodes"), CancellationToken.None);
        }

        Console.WriteLine($"{provider}: PutNodes {SeedBatches} x {SeedBatchSize:N0} new devices {seeding.Elapsed.TotalSeconds:F2} s");
    }

    private static AuditRecord Audit(string kind) =>
        new(0, DateTimeOffset.UtcNow, "", kind, "", "", "", null, true, 0, "", "", "harness", Guid.NewGuid().ToString("N"), "", 0);
}
