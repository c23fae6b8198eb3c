using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Qbee.Authz.TestKit;
using Qbee.Authz.V1;

namespace Qbee.Authz.Harness;

/// <summary>
/// <c>--replica-writes</c> (issue 20): the write path on each store, SQLite (the baseline) then PostgreSQL, in one
/// run. Per store: three replicas of the service, each its own OS process (the kit's <see cref="ReplicaSet"/>, the
/// Release build) on that store and one real redis-server, all on loopback. First single writes, one at a time
/// through replica A, on a 100k-device account (send to answer); then every replica's callers writing at once for a
/// fixed time, all on one account and then spread over ten: writes acknowledged per second. PostgreSQL runs durable
/// (fsync and synchronous commit on), as SQLite does (synchronous=FULL). Bounded: fixed counts and rounds, a
/// deadline per call, a timeout for the whole run.
/// </summary>
internal sealed class ReplicaWriteBenchmark(ReplicaWriteBenchmarkOptions options, ReplicaSet replicas, CancellationToken cancellationToken)
{
    private const int Replicas = 3;
    private const int ConcurrentWarmUp = 5;
    private const int AccountCount = 10;
    private static readonly TimeSpan CallTimeout = TimeSpan.FromMinutes(2);
    private static readonly Stopwatch Run = Stopwatch.StartNew();

    public static async Task<int> RunAsync(ReplicaWriteBenchmarkOptions options)
    {
        using var timeout = new CancellationTokenSource(options.Timeout);
        Console.WriteLine($"replica write benchmark: stores {string.Join(", ", options.Stores)}; {options.Writes} single writes after {options.WarmUp} warm-up on a "
            + $"{options.Devices:N0}-device account; {Replicas} replicas x {options.Callers} callers for {options.Round.TotalSeconds:F0} s on one and on {AccountCount} "
            + $"{options.AccountDevices:N0}-device accounts; timeout {options.Timeout.TotalMinutes:F0} min");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average at start {WriteBenchmark.LoadAverage()}, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        var results = new List<StoreResult>();
        try
        {
            foreach (var provider in options.Stores)
            {
                results.Add(await MeasureStoreAsync(options, provider, timeout.Token));
            }
        }
        catch (Exception e) when (timeout.IsCancellationRequested)
        {
            Console.WriteLine($"stopped by the timeout ({options.Timeout.TotalMinutes:F0} min, --timeout-minutes): {e.GetType().Name}; the figures so far are in the progress lines above");
            return 1;
        }

        Print(options, results);
        Console.WriteLine($"load average at the end {WriteBenchmark.LoadAverage()}; whole run {Run.Elapsed.TotalMinutes:F1} min");
        return 0;
    }

    private static async Task<StoreResult> MeasureStoreAsync(ReplicaWriteBenchmarkOptions options, string provider, CancellationToken cancellationToken)
    {
        await using var redis = await RedisServer.StartAsync();
        var folder = Path.Combine(Path.GetTempPath(), "qbee-authz-replica-writes", Guid.NewGuid().ToString("N"));
        PostgresServer? server = null;
        try
        {
            SharedStore store;
            if (provider == ReplicaWriteBenchmarkOptions.Postgres)
            {
                server = await PostgresServer.StartAsync(durable: true);
                store = SharedStore.Postgres(await server.CreateDatabaseAsync("authz"));
            }
            else
            {
                Directory.CreateDirectory(folder);
                store = SharedStore.Sqlite(folder);
            }

            var settings = new Dictionary<string, string>
            {
                ["Authz:Redis:PollInterval"] = "00:00:01",
                ["Authz:Sync:MaxStaleness"] = "01:00:00",
                // As the load harness, the image and the ConfigMaps run the service.
                ["DOTNET_GCgen0size"] = "0x2000000",
            };
            await using var replicas = await ReplicaSet.StartAsync(Replicas, store, redis, settings);
            Progress($"{provider}: {Replicas} replicas up ({string.Join(", ", replicas.Replicas.Select(r => r.Address))}), redis-server {redis.Configuration}");
            return await new ReplicaWriteBenchmark(options, replicas, cancellationToken).MeasureAsync(provider);
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }

            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private async Task<StoreResult> MeasureAsync(string provider)
    {
        var result = new StoreResult(provider);
        var large = new WriteFleet($"w{options.Devices}", options.Devices, 1_000);
        var seeding = Stopwatch.StartNew();
        await SeedAsync(large);
        result.SeedSeconds = seeding.Elapsed.TotalSeconds;
        Progress($"{provider}: {large.AccountId} seeded ({large.Devices.Count:N0} devices, {large.Groups.Count:N0} groups, {large.Users.Count:N0} users) in {result.SeedSeconds:F1} s");

        var random = new Random(20);
        var a = replicas[0].Admin;
        for (var k = 0; k < options.WarmUp + options.Writes; k++)
        {
            var write = MixedWrite(a, large, k, 0, 1, random);
            var started = Stopwatch.GetTimestamp();
            await write();
            if (k >= options.WarmUp)
            {
                result.SingleMs.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        Progress($"{provider}: single writes on {large.AccountId}: {Percentiles.Summary(result.SingleMs)}");

        var accounts = Enumerable.Range(0, AccountCount).Select(i => new WriteFleet($"c{i}", options.AccountDevices, 100)).ToList();
        foreach (var account in accounts)
        {
            await SeedAsync(account);
        }

        await WaitForConvergenceAsync(accounts);
        result.OneAccount = await ConcurrentRoundAsync(accounts.Take(1).ToList());
        Progress($"{provider}: one account: {result.OneAccount.Describe()}");
        result.TenAccounts = await ConcurrentRoundAsync(accounts);
        Progress($"{provider}: ten accounts: {result.TenAccounts.Describe()}");
        return result;
    }

    /// <summary>
    /// Every replica's callers (each with devices and users of its own) write the mix round robin over
    /// <paramref name="accounts"/>: a few warm-up writes each, then as many as they can for the round. Then the
    /// replicas must converge on every account (they do: Redis, else polling), which the figure does not include.
    /// </summary>
    private async Task<RoundResult> ConcurrentRoundAsync(List<WriteFleet> accounts)
    {
        var callers = Replicas * options.Callers;
        var latencies = new ConcurrentBag<double>();
        var errors = new ConcurrentDictionary<string, int>();
        async Task CallerAsync(int caller, bool measured, DateTime until)
        {
            var admin = replicas[caller % Replicas].Admin;
            var random = new Random(caller);
            for (var k = 0; measured ? DateTime.UtcNow < until : k < ConcurrentWarmUp; k++)
            {
                var write = MixedWrite(admin, accounts[(caller + k) % accounts.Count], k, caller, callers, random);
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await write();
                    if (measured)
                    {
                        latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    }
                }
                catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
                {
                    errors.AddOrUpdate(e.StatusCode.ToString(), 1, (_, n) => n + 1);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(() => CallerAsync(c, measured: false, DateTime.MaxValue))));
        var round = Stopwatch.StartNew();
        var until = DateTime.UtcNow + options.Round;
        await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(() => CallerAsync(c, measured: true, until))));
        var elapsed = round.Elapsed;
        await WaitForConvergenceAsync(accounts);
        return new RoundResult(accounts.Count, callers, latencies.ToList(), elapsed, errors.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Value} {e.Key}").ToList());
    }

    private async Task WaitForConvergenceAsync(List<WriteFleet> accounts)
    {
        foreach (var account in accounts)
        {
            await replicas.WaitForConvergenceAsync(account.AccountId, TimeSpan.FromMinutes(2));
        }
    }

    /// <summary>The account, its roles, its users (PutUsers), its nodes (PutNodes of 1,000), remote access on at root, through A.</summary>
    private async Task SeedAsync(WriteFleet fleet)
    {
        var admin = replicas[0].Admin;
        await admin.CreateAccountAsync(fleet.CreateRequest(), deadline: Deadline(), cancellationToken: cancellationToken);
        foreach (var role in fleet.Roles)
        {
            await admin.PutRoleAsync(new PutRoleRequest { Role = role }, deadline: Deadline(), cancellationToken: cancellationToken);
        }

        foreach (var chunk in fleet.Users.Chunk(1_000))
        {
            var users = new PutUsersRequest { AccountId = fleet.AccountId };
            users.Users.AddRange(chunk);
            await admin.PutUsersAsync(users, deadline: Deadline(), cancellationToken: cancellationToken);
        }

        foreach (var chunk in fleet.Groups.Concat(fleet.Devices).Chunk(1_000))
        {
            var nodes = new PutNodesRequest { AccountId = fleet.AccountId };
            nodes.Nodes.AddRange(chunk);
            await admin.PutNodesAsync(nodes, deadline: Deadline(), cancellationToken: cancellationToken);
        }

        await admin.SetRemoteAccessAsync(
            new SetRemoteAccessRequest { AccountId = fleet.AccountId, NodeId = "root", Setting = RemoteAccessSetting.Enabled },
            deadline: Deadline(), cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Write <paramref name="k"/> of the write benchmark's mix (a device into or out of a tag, a user given or
    /// relieved of a role, remote access of a device), on the devices and users whose index is
    /// <paramref name="caller"/> modulo <paramref name="callers"/>: no two callers send the same object at once.
    /// </summary>
    private Func<Task> MixedWrite(AdminService.AdminServiceClient admin, WriteFleet fleet, int k, int caller, int callers, Random random)
    {
        static int Pick(int count, int caller, int callers, Random random) =>
            Math.Min(count - 1, (random.Next(Math.Max(1, count / callers)) * callers) + caller);
        var device = fleet.Devices[Pick(fleet.Devices.Count, caller, callers, random)];
        switch (k % 3)
        {
            case 0:
                if (!device.Tags.Remove(WriteFleet.ToggledTag))
                {
                    device.Tags.Add(WriteFleet.ToggledTag);
                }

                var putNode = new PutNodeRequest { Node = device.Clone() };
                return () => admin.PutNodeAsync(putNode, deadline: Deadline(), cancellationToken: cancellationToken).ResponseAsync;
            case 1:
                var user = fleet.Users[Pick(fleet.Users.Count, caller, callers, random)];
                if (!user.RoleIds.Remove("role0"))
                {
                    user.RoleIds.Add("role0");
                }

                var putUser = new PutUserRequest { User = user.Clone() };
                return () => admin.PutUserAsync(putUser, deadline: Deadline(), cancellationToken: cancellationToken).ResponseAsync;
            default:
                var set = new SetRemoteAccessRequest
                {
                    AccountId = fleet.AccountId, NodeId = device.NodeId, Setting = random.Next(2) == 0 ? RemoteAccessSetting.Enabled : RemoteAccessSetting.Disabled,
                };
                return () => admin.SetRemoteAccessAsync(set, deadline: Deadline(), cancellationToken: cancellationToken).ResponseAsync;
        }
    }

    private static DateTime Deadline() => DateTime.UtcNow + CallTimeout;

    private static void Progress(string line) => Console.WriteLine($"[{Run.Elapsed.TotalSeconds,7:F1} s] {line}");

    private static void Print(ReplicaWriteBenchmarkOptions options, List<StoreResult> results)
    {
        static string F(double value) => value.ToString(value < 100 ? "F1" : "N0", CultureInfo.InvariantCulture);
        var baseline = results[0];
        Console.WriteLine();
        Console.WriteLine("| figure |" + string.Concat(results.Select(r => $" {r.Provider} |")) + string.Concat(results.Skip(1).Select(r => $" {r.Provider} / {baseline.Provider} |")));
        Console.WriteLine("| --- |" + string.Concat(results.Select(_ => " ---: |")) + string.Concat(results.Skip(1).Select(_ => " ---: |")));
        void Row(string name, Func<StoreResult, double> value, string unit) =>
            Console.WriteLine($"| {name} | " + string.Join(" | ", results.Select(r => $"{F(value(r))} {unit}"))
                + string.Concat(results.Skip(1).Select(r => $" | {value(r) / value(baseline):F2}x")) + " |");
        Row($"seeding the {options.Devices:N0}-device account (PutNodes of 1,000)", r => r.SeedSeconds, "s");
        Row($"single write on the {options.Devices:N0}-device account, p50", r => Percentiles.At(r.SingleMs, 0.50), "ms");
        Row($"single write on the {options.Devices:N0}-device account, p99", r => Percentiles.At(r.SingleMs, 0.99), "ms");
        foreach (var (name, round) in new (string, Func<StoreResult, RoundResult>)[] { ("one account", r => r.OneAccount!), ($"{AccountCount} accounts", r => r.TenAccounts!) })
        {
            Row($"{Replicas} replicas x {options.Callers} callers, {name}: writes/s", r => round(r).WritesPerSecond, "/s");
            Row($"{Replicas} replicas x {options.Callers} callers, {name}: write p50", r => Percentiles.At(round(r).LatencyMs, 0.50), "ms");
            Row($"{Replicas} replicas x {options.Callers} callers, {name}: write p99", r => Percentiles.At(round(r).LatencyMs, 0.99), "ms");
        }

        foreach (var result in results)
        {
            Console.WriteLine($"{result.Provider}: failed writes: one account {Failures(result.OneAccount!)}, ten accounts {Failures(result.TenAccounts!)}");
        }

        static string Failures(RoundResult round) => round.Errors.Count == 0 ? "none" : string.Join(", ", round.Errors);
    }

    private sealed class StoreResult(string provider)
    {
        public string Provider { get; } = provider;

        public double SeedSeconds { get; set; }

        public List<double> SingleMs { get; } = [];

        public RoundResult? OneAccount { get; set; }

        public RoundResult? TenAccounts { get; set; }
    }

    private sealed record RoundResult(int Accounts, int Callers, List<double> LatencyMs, TimeSpan Elapsed, List<string> Errors)
    {
        public double WritesPerSecond => LatencyMs.Count / Elapsed.TotalSeconds;

        public string Describe() =>
            $"{LatencyMs.Count} writes by {Callers} callers in {Elapsed.TotalSeconds:F1} s = {WritesPerSecond:F0}/s; {Percentiles.Summary(LatencyMs)}; failed: {(Errors.Count == 0 ? "none" : string.Join(", ", Errors))}";
    }
}
