using System.Diagnostics;
using System.Globalization;
using Qbee.Authz.TestKit;
using Qbee.Authz.V1;

namespace Qbee.Authz.Harness;

/// <summary>
/// <c>--writes</c>: what an admin write costs as the account grows. Two replicas of the service, each its own OS
/// process (the kit's <see cref="ServiceProcess"/>, the Release build), on one SQLite file and one real
/// redis-server, all on loopback; polling is set to 10 minutes, so only Redis carries a write from A to B.
/// Every write goes to A; "visible on B" is the time from A's answer until a Check on B with the write's revision
/// as min_revision answers (B waits for its snapshot to reach it, then answers: exact, one loopback call).
/// Timings are a Stopwatch around the gRPC call; warm-up writes are left out, percentiles are over every other
/// sample. Bounded: a fixed count of writes, and the whole run fails past its timeout.
/// </summary>
internal sealed class WriteBenchmark(WriteBenchmarkOptions options, ServiceProcess a, ServiceProcess b, string redisConfiguration, CancellationToken cancellationToken)
{
    private const int NodesPerBatch = 1_000;
    private const int SeedUsers = 1_000;
    private static readonly TimeSpan CallTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan SettleBeforeSecondReading = TimeSpan.FromSeconds(5);
    private static readonly string[] KindNames = ["PutNode (device into/out of a tag)", "PutUser (a role added/removed)", "SetRemoteAccess (a device)"];

    private readonly Stopwatch _run = Stopwatch.StartNew();

    public static async Task<int> RunAsync(WriteBenchmarkOptions options)
    {
        var total = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(options.Timeout);
        Console.WriteLine($"write benchmark{(options.Quick ? " (--quick)" : string.Empty)}: accounts of {string.Join(", ", options.Devices.Select(d => d.ToString("N0", CultureInfo.InvariantCulture)))} devices, "
            + $"{options.Writes} measured writes each after {options.WarmUp} warm-up; {options.Users} users on a {options.UsersAccountDevices:N0}-device account; "
            + $"{options.Moves} group moves; Redis read after {options.MemoryWrites} writes; timeout {options.Timeout.TotalMinutes:F0} min");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average at start {LoadAverage()}, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");

        await using var redis = await RedisServer.StartAsync();
        var data = Path.Combine(Path.GetTempPath(), "qbee-authz-writes", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        try
        {
            var settings = new Dictionary<string, string>
            {
                ["Authz:Redis:Configuration"] = redis.Configuration,
                ["Authz:Redis:PollInterval"] = "00:10:00",
                ["Authz:Sync:MaxStaleness"] = "01:00:00",
                // As the load harness, the image and the ConfigMaps run the service.
                ["DOTNET_GCgen0size"] = "0x2000000",
            };
            await using var replicaA = await ServiceProcess.StartAsync(settings, data);
            await using var replicaB = await ServiceProcess.StartAsync(settings, data);
            var version = (await replicaA.Admin.GetStatusAsync(new GetStatusRequest(), cancellationToken: timeout.Token)).Version;
            Console.WriteLine($"replicas: A {replicaA.Address}, B {replicaB.Address} (separate processes, service {version}), one SQLite file, redis-server {redis.Configuration}");

            var report = await new WriteBenchmark(options, replicaA, replicaB, redis.Configuration, timeout.Token).MeasureAsync();
            report.Print(options);
        }
        catch (Exception e) when (timeout.IsCancellationRequested)
        {
            // The replicas and redis-server are stopped by their disposal on the way out.
            Console.WriteLine($"stopped by the timeout ({options.Timeout.TotalMinutes:F0} min, --timeout-minutes) after {total.Elapsed.TotalMinutes:F1} min: {e.GetType().Name}; the figures so far are in the progress lines above");
            return 1;
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

        Console.WriteLine($"load average at the end {LoadAverage()}; whole run {total.Elapsed.TotalMinutes:F1} min");
        return 0;
    }

    private async Task<WriteReport> MeasureAsync()
    {
        var report = new WriteReport();
        WriteFleet? largest = null;
        var random = new Random(16);
        foreach (var devices in options.Devices)
        {
            var fleet = new WriteFleet($"w{devices}", devices, SeedUsers);
            var seed = await SeedAsync(fleet, usersFirst: true);
            Progress($"{fleet.AccountId}: seeded {devices:N0} devices + {fleet.Groups.Count:N0} groups in {seed.NodeBatches} PutNodes ({seed.NodesSeconds:F1} s), "
                + $"{WriteFleet.RoleCount} roles + {SeedUsers:N0} users first ({seed.RolesUsersSeconds:F1} s); revision {seed.Revision}");
            await SeenOnBAsync(fleet, fleet.Devices[0].NodeId, seed.Revision);

            var size = new SizeResult(devices, fleet.Groups.Count, seed);
            for (var k = 0; k < options.WarmUp + options.Writes; k++)
            {
                var (kind, writeMs, visibleMs) = await MixedWriteAsync(fleet, k, random, waitForB: true);
                if (k >= options.WarmUp)
                {
                    size.Add(kind, writeMs, visibleMs);
                }
            }

            Progress($"{fleet.AccountId}: write {Percentiles.Summary(size.WriteMs)}; visible on B {Percentiles.Summary(size.VisibleMs)}");
            report.Sizes.Add(size);
            largest = fleet;
        }

        await MoveAndMeasureRedisAsync(largest!, report, random);
        await PutUsersOneByOneAsync(report);
        return report;
    }

    /// <summary>The largest account: its first top-level group moved there and back, then Redis after the writes.</summary>
    private async Task MoveAndMeasureRedisAsync(WriteFleet fleet, WriteReport report, Random random)
    {
        var group = fleet.MovableGroup;
        report.MovedGroupDevices = fleet.DevicesBelow(group.NodeId);
        report.MoveAccountDevices = fleet.Devices.Count;
        for (var m = 0; m < options.Moves; m++)
        {
            group.ParentId = m % 2 == 0 ? fleet.OtherTopGroup : "root";
            var request = new PutNodeRequest { Node = group };
            var started = Stopwatch.GetTimestamp();
            var revision = (await a.Admin.PutNodeAsync(request, deadline: Deadline(), cancellationToken: cancellationToken)).Revision;
            var answered = Stopwatch.GetTimestamp();
            await SeenOnBAsync(fleet, fleet.Devices[0].NodeId, revision);
            report.MoveMs.Add(Stopwatch.GetElapsedTime(started, answered).TotalMilliseconds);
            report.MoveVisibleMs.Add(Stopwatch.GetElapsedTime(answered).TotalMilliseconds);
        }

        Progress($"{fleet.AccountId}: moving {group.NodeId} ({report.MovedGroupDevices:N0} devices): {Percentiles.Summary(report.MoveMs)}");

        // Writes after seeding so far: the warm-up and measured ones, and the moves; top up to MemoryWrites.
        var done = options.WarmUp + options.Writes + options.Moves;
        var topUp = Math.Max(0, options.MemoryWrites - done);
        var toppingUp = Stopwatch.GetTimestamp();
        for (var k = 0; k < topUp; k++)
        {
            await MixedWriteAsync(fleet, k, random, waitForB: false);
        }

        var last = (await a.Admin.SetRemoteAccessAsync(
            new SetRemoteAccessRequest { AccountId = fleet.AccountId, NodeId = "root", Setting = RemoteAccessSetting.Enabled },
            deadline: Deadline(), cancellationToken: cancellationToken)).Revision;
        await SeenOnBAsync(fleet, fleet.Devices[0].NodeId, last);
        report.MemoryWrites = done + topUp + 1;
        report.MemoryRevision = last;
        Progress($"{fleet.AccountId}: {topUp} more writes ({Stopwatch.GetElapsedTime(toppingUp).TotalSeconds:F1} s), B at revision {last}");

        report.RedisAfterWrites = await RedisFootprint.MeasureAsync(redisConfiguration, fleet.AccountId);
        Progress($"{fleet.AccountId}: Redis right after: {report.RedisAfterWrites.Describe()}");
        // A compaction or trim that runs on a timer gets its chance: a settle period of a benchmark, not a sync.
        await Task.Delay(SettleBeforeSecondReading, cancellationToken);
        report.RedisSettled = await RedisFootprint.MeasureAsync(redisConfiguration, fleet.AccountId);
        Progress($"{fleet.AccountId}: Redis {SettleBeforeSecondReading.TotalSeconds:F0} s later: {report.RedisSettled.Describe()}");
    }

    private async Task PutUsersOneByOneAsync(WriteReport report)
    {
        var fleet = new WriteFleet("wusers", options.UsersAccountDevices, options.Users);
        var seed = await SeedAsync(fleet, usersFirst: false);
        await SeenOnBAsync(fleet, fleet.Devices[0].NodeId, seed.Revision);
        var started = Stopwatch.GetTimestamp();
        ulong revision = 0;
        foreach (var user in fleet.Users)
        {
            revision = (await a.Admin.PutUserAsync(new PutUserRequest { User = user }, deadline: Deadline(), cancellationToken: cancellationToken)).Revision;
        }

        report.UsersSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        report.UsersCount = fleet.Users.Count;
        report.UsersAccountDevices = fleet.Devices.Count;
        await SeenOnBAsync(fleet, fleet.Devices[0].NodeId, revision);
        Progress($"{fleet.AccountId}: {fleet.Users.Count} users one PutUser at a time on {fleet.Devices.Count:N0} devices: {report.UsersSeconds:F1} s");
    }

    /// <summary>
    /// Creates the account, its roles, (its users, one at a time while the account is small), its nodes through
    /// PutNodes in batches of 1,000 (timed: the seeding figure) and a few remote-access settings.
    /// </summary>
    private async Task<SeedResult> SeedAsync(WriteFleet fleet, bool usersFirst)
    {
        var started = Stopwatch.GetTimestamp();
        await a.Admin.CreateAccountAsync(fleet.CreateRequest(), deadline: Deadline(), cancellationToken: cancellationToken);
        foreach (var role in fleet.Roles)
        {
            await a.Admin.PutRoleAsync(new PutRoleRequest { Role = role }, deadline: Deadline(), cancellationToken: cancellationToken);
        }

        if (usersFirst)
        {
            foreach (var user in fleet.Users)
            {
                await a.Admin.PutUserAsync(new PutUserRequest { User = user }, deadline: Deadline(), cancellationToken: cancellationToken);
            }
        }

        var rolesUsers = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var nodesStarted = Stopwatch.GetTimestamp();
        var batches = 0;
        foreach (var chunk in fleet.Groups.Concat(fleet.Devices).Chunk(NodesPerBatch))
        {
            var request = new PutNodesRequest { AccountId = fleet.AccountId };
            request.Nodes.AddRange(chunk);
            await a.Admin.PutNodesAsync(request, deadline: Deadline(), cancellationToken: cancellationToken);
            batches++;
        }

        var nodes = Stopwatch.GetElapsedTime(nodesStarted).TotalSeconds;
        ulong revision = 0;
        foreach (var setting in new[]
        {
            new SetRemoteAccessRequest { AccountId = fleet.AccountId, NodeId = "root", Setting = RemoteAccessSetting.Enabled },
            new SetRemoteAccessRequest { AccountId = fleet.AccountId, NodeId = fleet.Groups.Last(g => g.ParentId == "root").NodeId, Setting = RemoteAccessSetting.Disabled },
            new SetRemoteAccessRequest { AccountId = fleet.AccountId, Tag = "t3", Setting = RemoteAccessSetting.Disabled },
            new SetRemoteAccessRequest { AccountId = fleet.AccountId, Tag = "t5", Setting = RemoteAccessSetting.Enabled },
        })
        {
            revision = (await a.Admin.SetRemoteAccessAsync(setting, deadline: Deadline(), cancellationToken: cancellationToken)).Revision;
        }

        return new SeedResult(rolesUsers, nodes, batches, revision);
    }

    /// <summary>
    /// Write <paramref name="k"/> of the mix, round robin: a device moved into or out of a tag (PutNode of the
    /// whole device), a user given or relieved of one role (PutUser), remote access of a device switched
    /// (SetRemoteAccess). The request is built before the clock starts.
    /// </summary>
    private async Task<(int Kind, double WriteMs, double VisibleMs)> MixedWriteAsync(WriteFleet fleet, int k, Random random, bool waitForB)
    {
        var kind = k % KindNames.Length;
        var device = fleet.Devices[random.Next(fleet.Devices.Count)];
        Func<Task<ulong>> call;
        switch (kind)
        {
            case 0:
                if (!device.Tags.Remove(WriteFleet.ToggledTag))
                {
                    device.Tags.Add(WriteFleet.ToggledTag);
                }

                var putNode = new PutNodeRequest { Node = device };
                call = async () => (await a.Admin.PutNodeAsync(putNode, deadline: Deadline(), cancellationToken: cancellationToken)).Revision;
                break;
            case 1:
                var user = fleet.Users[random.Next(fleet.Users.Count)];
                if (!user.RoleIds.Remove("role0"))
                {
                    user.RoleIds.Add("role0");
                }

                var putUser = new PutUserRequest { User = user };
                call = async () => (await a.Admin.PutUserAsync(putUser, deadline: Deadline(), cancellationToken: cancellationToken)).Revision;
                break;
            default:
                var set = new SetRemoteAccessRequest
                {
                    AccountId = fleet.AccountId, NodeId = device.NodeId, Setting = random.Next(2) == 0 ? RemoteAccessSetting.Enabled : RemoteAccessSetting.Disabled,
                };
                call = async () => (await a.Admin.SetRemoteAccessAsync(set, deadline: Deadline(), cancellationToken: cancellationToken)).Revision;
                break;
        }

        var started = Stopwatch.GetTimestamp();
        var revision = await call();
        var answered = Stopwatch.GetTimestamp();
        if (waitForB)
        {
            await SeenOnBAsync(fleet, device.NodeId, revision);
        }

        return (kind, Stopwatch.GetElapsedTime(started, answered).TotalMilliseconds, waitForB ? Stopwatch.GetElapsedTime(answered).TotalMilliseconds : 0);
    }

    /// <summary>A Check on B that its snapshot of the account must reach <paramref name="revision"/> to answer.</summary>
    private async Task SeenOnBAsync(WriteFleet fleet, string deviceId, ulong revision)
    {
        var seen = await b.Authz.CheckAsync(
            new CheckRequest { UserId = fleet.OwnerId, Permission = "device:read", DeviceId = deviceId, MinRevision = revision },
            deadline: Deadline(), cancellationToken: cancellationToken);
        if (!seen.Allowed || seen.Revision < revision)
        {
            throw new InvalidOperationException($"replica B answered {seen.Reason} at revision {seen.Revision} for the owner of {fleet.AccountId}, asked at {revision}");
        }
    }

    private static DateTime Deadline() => DateTime.UtcNow + CallTimeout;

    private void Progress(string line) => Console.WriteLine($"[{_run.Elapsed.TotalSeconds,7:F1} s] {line}");

    internal static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    internal sealed record SeedResult(double RolesUsersSeconds, double NodesSeconds, int NodeBatches, ulong Revision);

    internal sealed class SizeResult(int devices, int groups, SeedResult seed)
    {
        public int Devices { get; } = devices;

        public int Groups { get; } = groups;

        public SeedResult Seed { get; } = seed;

        public List<double> WriteMs { get; } = [];

        public List<double> VisibleMs { get; } = [];

        public List<double>[] WriteMsByKind { get; } = [.. KindNames.Select(_ => new List<double>())];

        public void Add(int kind, double writeMs, double visibleMs)
        {
            WriteMs.Add(writeMs);
            VisibleMs.Add(visibleMs);
            WriteMsByKind[kind].Add(writeMs);
        }
    }

    internal sealed class WriteReport
    {
        public List<SizeResult> Sizes { get; } = [];

        public List<double> MoveMs { get; } = [];

        public List<double> MoveVisibleMs { get; } = [];

        public int MovedGroupDevices { get; set; }

        public int MoveAccountDevices { get; set; }

        public int MemoryWrites { get; set; }

        public ulong MemoryRevision { get; set; }

        public RedisFootprint? RedisAfterWrites { get; set; }

        public RedisFootprint? RedisSettled { get; set; }

        public double UsersSeconds { get; set; }

        public int UsersCount { get; set; }

        public int UsersAccountDevices { get; set; }

        public void Print(WriteBenchmarkOptions options)
        {
            static string N(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
            static string Ms(double ms) => ms.ToString(ms < 100 ? "F1" : "N0", CultureInfo.InvariantCulture);
            var small = Sizes[0];
            var large = Sizes[^1];
            Console.WriteLine();
            Console.WriteLine($"| single write ({options.Writes} per account after {options.WarmUp} warm-up, mixed) | "
                + string.Join(" | ", Sizes.Select(s => $"{N(s.Devices)} devices ({N(s.Groups)} groups)")) + $" | {N(large.Devices)} / {N(small.Devices)} |");
            Console.WriteLine("| --- |" + string.Concat(Sizes.Select(_ => " ---: |")) + " ---: |");
            void Row(string name, Func<SizeResult, double> value) =>
                Console.WriteLine($"| {name} | " + string.Join(" | ", Sizes.Select(s => Ms(value(s)) + " ms")) + $" | {value(large) / value(small):F1}x |");
            Row("send to answer on A, p50", s => Percentiles.At(s.WriteMs, 0.50));
            Row("send to answer on A, p99", s => Percentiles.At(s.WriteMs, 0.99));
            Row("visible on B after A answered, p50", s => Percentiles.At(s.VisibleMs, 0.50));
            Row("visible on B after A answered, p99", s => Percentiles.At(s.VisibleMs, 0.99));
            for (var kind = 0; kind < KindNames.Length; kind++)
            {
                var k = kind;
                Row($"{KindNames[k]}, p50", s => Percentiles.At(s.WriteMsByKind[k], 0.50));
            }

            Console.WriteLine();
            Console.WriteLine("| other figure | measured | issue 16 target |");
            Console.WriteLine("| --- | ---: | --- |");
            foreach (var size in Sizes)
            {
                Console.WriteLine($"| seeding {N(size.Devices)} devices + {N(size.Groups)} groups through PutNodes ({size.Seed.NodeBatches} batches of ≤ {N(NodesPerBatch)}) | {size.Seed.NodesSeconds:F1} s | ≤ 10 s at 100,000 |");
            }

            Console.WriteLine($"| {N(UsersCount)} users one PutUser at a time on a {N(UsersAccountDevices)}-device account | {UsersSeconds:F1} s ({UsersSeconds * 1000 / UsersCount:F1} ms each) | ≤ 5 s for 1,000 |");
            Console.WriteLine($"| moving a group holding {N(MovedGroupDevices)} devices (of {N(MoveAccountDevices)}), send to answer, median of {MoveMs.Count} | {Ms(Percentiles.Median(MoveMs))} ms (visible on B +{Ms(Percentiles.Median(MoveVisibleMs))} ms) | ≤ 200 ms at 10,000 |");
            foreach (var (when, footprint) in new[] { ("right after", RedisAfterWrites), ($"{SettleBeforeSecondReading.TotalSeconds:F0} s later", RedisSettled) })
            {
                if (footprint?.LargestString is { } full)
                {
                    Console.WriteLine($"| Redis, {N(large.Devices)}-device account after {N(MemoryWrites)} writes since seeding (revision {MemoryRevision}), {when}: MEMORY USAGE of its {footprint.Keys.Count} keys / one full snapshot | "
                        + $"{RedisFootprint.Mb(footprint.TotalBytes)} / {RedisFootprint.Mb(full.Bytes)} = {footprint.TotalBytes / (double)full.Bytes:F2}x | ≤ 2x |");
                }
            }

            Console.WriteLine();
            Console.WriteLine($"ratio p50(single write, {N(large.Devices)}) / p50({N(small.Devices)}): {Percentiles.At(large.WriteMs, 0.5) / Percentiles.At(small.WriteMs, 0.5):F2} (target ≤ 1.5); "
                + $"p99 at {N(large.Devices)}: {Ms(Percentiles.At(large.WriteMs, 0.99))} ms (target ≤ 20 ms); visible on B p99: {Ms(Percentiles.At(large.VisibleMs, 0.99))} ms (target ≤ 50 ms)");
        }
    }
}
