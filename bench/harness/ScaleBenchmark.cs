using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Grpc.Mapping;
using Qbee.Authz.TestKit;
using Qbee.Authz.TestKit.Accounts;
using Qbee.Authz.V1;
using ProtoRecord = Qbee.Authz.V1.AccountRecord;

namespace Qbee.Authz.Harness;

/// <summary>
/// <c>--scale [accounts 2000] [devices 2000000] [large 10] [large-devices 100000]</c> (issue 18): a platform of many
/// accounts, most small and <c>large</c> of <c>large-devices</c>, seeded through ImportAccount (one stream per
/// account, the store's bulk path) into SQLite with a real redis-server, then served by replicas as their own OS
/// processes: start-up to SERVING with Preload=None and with Preload=All (the baseline), the first check of a cold
/// 10,000-device account from Redis and from SQL alone, and checks spread over 100 random accounts with a 256 MB
/// budget (throughput against the Preload=All replica's, working set).
/// </summary>
internal static class ScaleBenchmark
{
    private const int Spread = 100;
    private const string Budget = "268435456";
    private static readonly TimeSpan LoadRun = TimeSpan.FromSeconds(10);

    /// <param name="published">A published service folder (deploy/Dockerfile's publish: ReadyToRun) whose service the
    /// timed replicas run, as production does; null: the build output (JIT).</param>
    public static async Task<int> RunAsync(int accounts, int devices, int large, int largeDevices, string? published = null)
    {
        var serviceAssembly = published is null ? null : Path.Combine(published, "Qbee.Authz.Service.dll");
        Console.WriteLine($"scale benchmark: {accounts:N0} accounts, {devices:N0} devices ({large} of {largeDevices:N0}, two of 10,000); "
            + $"{Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        var plan = Plan(accounts, devices, large, largeDevices);
        var data = Path.Combine(Path.GetTempPath(), "qbee-authz-scale", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        await using var redis = await RedisServer.StartAsync();
        try
        {
            var seeding = Stopwatch.StartNew();
            await using (var seeder = await ServiceProcess.StartAsync(Settings(redis, "None", "67108864"), data))
            {
                var next = 0;
                var device = 0;
                var accountsSeeded = 0;
                async Task SeedAsync()
                {
                    while (Interlocked.Increment(ref next) - 1 is var i && i < plan.Length)
                    {
                        var first = Interlocked.Add(ref device, plan[i]) - plan[i];
                        await ImportAsync(seeder, Build(i, plan[i], first));
                        if (Interlocked.Increment(ref accountsSeeded) % 200 == 0)
                        {
                            Console.WriteLine($"  seeded {accountsSeeded:N0} accounts, {seeding.Elapsed.TotalSeconds:F0} s");
                        }
                    }
                }

                await Task.WhenAll(SeedAsync(), SeedAsync());
                await seeder.StopAsync();
            }

            Console.WriteLine($"seeded {plan.Length:N0} accounts, {plan.Sum():N0} devices through ImportAccount in {seeding.Elapsed.TotalSeconds:F0} s "
                + $"(SQLite {new FileInfo(Path.Combine(data, "authz.db")).Length / 1e6:F0} MB)");

            // Two of 10,000: the first cold load of a process pays the JIT of the load path; the second shows a warm one.
            var tenK = AccountId(large);
            var secondTenK = AccountId(large + 1);
            var random = new Random(18);
            var spread = Enumerable.Range(0, plan.Length).OrderBy(_ => random.Next()).Take(Spread).Select(AccountId).ToArray();

            // Baseline: everything compiled at start.
            double allThroughput;
            await using (var all = await TimedStartAsync("Preload=All", Settings(redis, "All", "0"), data, serviceAssembly))
            {
                allThroughput = await ThroughputAsync(all, spread, "Preload=All");
                Console.WriteLine($"  working set {all.WorkingSet64 / 1e6:F0} MB");
                await all.StopAsync();
            }

            await using (var onDemand = await TimedStartAsync("Preload=None", Settings(redis, "None", Budget), data, serviceAssembly))
            {
                await FirstCallAsync(onDemand);
                await FirstCheckAsync(onDemand, tenK, "Redis, the process's first load");
                await FirstCheckAsync(onDemand, secondTenK, "Redis, warm process");
                var throughput = await ThroughputAsync(onDemand, spread, $"Preload=None, budget {Budget}");
                var status = await onDemand.Admin.GetStatusAsync(new GetStatusRequest());
                Console.WriteLine($"  hit-path throughput {throughput / allThroughput:F2}x Preload=All's; working set {onDemand.WorkingSet64 / 1e6:F0} MB; "
                    + $"{status.Accounts.Count(a => a.Loaded)} accounts held, {status.Accounts.Sum(a => a.SnapshotBytes) / 1e6:F0} MB of snapshots (estimated)");
                await onDemand.StopAsync();
            }

            await using (var sqlOnly = await TimedStartAsync("Preload=None without Redis", Settings(null, "None", Budget), data, serviceAssembly))
            {
                await FirstCallAsync(sqlOnly);
                await FirstCheckAsync(sqlOnly, tenK, "SQL alone, the process's first load");
                await FirstCheckAsync(sqlOnly, secondTenK, "SQL alone, warm process");
                await sqlOnly.StopAsync();
            }
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }

        return 0;
    }

    /// <summary>Devices per account: <paramref name="large"/> large ones, two of 10,000, the rest share what is left.</summary>
    private static int[] Plan(int accounts, int devices, int large, int largeDevices)
    {
        var plan = new int[accounts];
        for (var i = 0; i < large; i++)
        {
            plan[i] = largeDevices;
        }

        plan[large] = 10_000;
        plan[large + 1] = 10_000;
        var rest = Math.Max(0, devices - (large * largeDevices) - 20_000);
        var small = accounts - large - 2;
        for (var i = large + 2; i < accounts; i++)
        {
            plan[i] = (rest / small) + (i - large - 2 < rest % small ? 1 : 0);
        }

        return plan;
    }

    private static string AccountId(int i) => $"acct-{i:D4}";

    /// <summary>An account: 10 groups under root (two tagged), its devices spread over them, 3 roles, a user per 200 devices (at least 3).</summary>
    internal static AccountData Build(int i, int devices, int firstDevice)
    {
        var id = AccountId(i);
        var account = new AccountBuilder(id, $"Account {i}", devices + 12);
        account.Group(Ids.Root, "").Group(Ids.UnassignedGroup, Ids.Root);
        for (var g = 0; g < 10; g++)
        {
            account.Group($"g{g}", Ids.Root, g < 2 ? ["production"] : []);
        }

        for (var d = 0; d < devices; d++)
        {
            account.Device((firstDevice + d).ToString("x64", CultureInfo.InvariantCulture), $"g{d % 10}", false);
        }

        account.Role("reader", AccountRecords.Policy("device:read"));
        account.Role("prod", AccountRecords.Policy("device:read", "tag:production"), AccountRecords.Policy("remote-access:connect", "tag:production"));
        account.Role("ops", AccountRecords.Policy("device:read", "node:g3"), AccountRecords.Policy("remote-access:connect", "node:g3"));
        var users = Math.Max(3, devices / 200);
        string[][] roles = [["reader"], ["prod"], ["ops"], ["prod", "ops"]];
        for (var u = 0; u < users; u++)
        {
            account.User(UserId(id, u), false, roles[u % roles.Length]);
        }

        return account.Build();
    }

    private static string UserId(string accountId, int u) => $"{accountId}-u{u}";

    internal static async Task ImportAsync(ServiceProcess service, AccountData data)
    {
        using var call = service.Admin.ImportAccount(deadline: DateTime.UtcNow.AddMinutes(10));
        var buffered = new WriteOptions(WriteFlags.BufferHint);
        var written = 0;
        foreach (var record in ExportMapping.ToRecords(data))
        {
            call.RequestStream.WriteOptions = ++written % 256 == 0 ? null : buffered;
            await call.RequestStream.WriteAsync(record);
        }

        await call.RequestStream.CompleteAsync();
        await call;
    }

    private static async Task<ServiceProcess> TimedStartAsync(string what, Dictionary<string, string> settings, string data, string? serviceAssembly)
    {
        var watch = Stopwatch.StartNew();
        var service = await ServiceProcess.StartAsync(settings, data, serviceAssembly);
        Console.WriteLine($"{what}: SERVING {watch.Elapsed.TotalMilliseconds:F0} ms after the process was launched; its log:");
        string[] lines = ["StartupInitializer[8]", "SnapshotRefresher[2]", "UserAccountIndex[184]"];
        foreach (var line in service.LogLines.Where(l => lines.Any(m => l.Contains(m, StringComparison.Ordinal))))
        {
            Console.WriteLine($"  {line.Trim()}");
        }

        return service;
    }

    /// <summary>
    /// The process's first call pays the JIT of the whole call path (Kestrel, HTTP/2, the interceptor, Check): a check
    /// of a user no account has, timed on its own, so the cold-account figures that follow are the account's load.
    /// </summary>
    private static async Task FirstCallAsync(ServiceProcess service)
    {
        var watch = Stopwatch.StartNew();
        var answer = await service.Authz.CheckAsync(new CheckRequest { UserId = "nobody", Permission = "device:read" });
        Console.WriteLine($"  the process's first call (a user no account has): {watch.Elapsed.TotalMilliseconds:F1} ms ({answer.Reason})");
    }

    private static async Task FirstCheckAsync(ServiceProcess service, string accountId, string from)
    {
        var watch = Stopwatch.StartNew();
        var answer = await service.Authz.CheckAsync(new CheckRequest { UserId = UserId(accountId, 0), Permission = "device:read" });
        var first = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        await service.Authz.CheckAsync(new CheckRequest { UserId = UserId(accountId, 0), Permission = "device:read" });
        var load = service.LogLines.LastOrDefault(l => l.Contains($"Account {accountId} loaded on demand", StringComparison.Ordinal));
        Console.WriteLine($"  first check of cold {accountId} (10,000 devices) from {from}: {first:F1} ms ({answer.Reason}); the next: {watch.Elapsed.TotalMilliseconds:F2} ms");
        Console.WriteLine($"    its log: {load?.Trim() ?? "(no load logged)"}");
    }

    /// <summary>Checks of the accounts' first users, 64 in flight over one channel, for <see cref="LoadRun"/> after a warm-up.</summary>
    private static async Task<double> ThroughputAsync(ServiceProcess service, string[] accounts, string what)
    {
        var requests = accounts.Select(a => new CheckRequest { UserId = UserId(a, 0), Permission = "device:read" }).ToArray();
        foreach (var request in requests)
        {
            await service.Authz.CheckAsync(request);
        }

        long done = 0;
        var until = DateTime.UtcNow + LoadRun;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async worker =>
        {
            var random = new Random(worker);
            while (DateTime.UtcNow < until)
            {
                await service.Authz.CheckAsync(requests[random.Next(requests.Length)]);
                Interlocked.Increment(ref done);
            }
        }));
        var perSecond = done / watch.Elapsed.TotalSeconds;
        Console.WriteLine($"  {what}: {perSecond:N0} checks/s over {Spread} random accounts (64 in flight, one channel, {LoadRun.TotalSeconds:F0} s)");
        return perSecond;
    }

    private static Dictionary<string, string> Settings(RedisServer? redis, string preload, string budget)
    {
        var settings = new Dictionary<string, string>
        {
            ["Authz:Snapshots:Preload"] = preload,
            ["Authz:Snapshots:MemoryBudget"] = budget,
            ["DOTNET_GCgen0size"] = "0x2000000",
        };
        if (redis is not null)
        {
            settings["Authz:Redis:Configuration"] = redis.Configuration;
        }

        return settings;
    }
}
