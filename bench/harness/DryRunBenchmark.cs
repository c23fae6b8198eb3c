using System.Diagnostics;
using System.Globalization;
using Grpc.Net.Client;
using Qbee.Authz.TestKit;
using Qbee.Authz.V1;

namespace Qbee.Authz.Harness;

/// <summary>
/// <c>--dry-run [devices] [users] [runs] [listed]</c>: what a dry run costs on a large account. The service in its own OS
/// process (the kit's <see cref="ServiceProcess"/>, the Release build) on a SQLite file and a real redis-server; an
/// account of <see cref="WriteFleet"/>'s shape (100,000 devices, 10,000 users with 1-3 of its 50 roles) plus one
/// role, "edited", held by every tenth user (1,000 of 10,000). Measured: PutRole dry runs of that role, its
/// policies switched between two forms each time (every holder gains and loses devices), send to answer; then, for
/// the record, dry runs of SetRemoteAccess on a top-level group (every user compared over a tenth of the fleet).
/// Warm-up runs are left out. The account's revision is checked unchanged; then the baseline: the same role edit
/// written for real, 10 times after 2.
/// </summary>
internal static class DryRunBenchmark
{
    private const int NodesPerBatch = 10_000;
    private const int WarmUp = 5;
    private const string EditedRole = "edited";
    private static readonly TimeSpan CallTimeout = TimeSpan.FromMinutes(5);

    /// <param name="listed">Authz:Limits:MaxImpactUsers: the users the answer lists (every holder is compared either way).</param>
    public static async Task<int> RunAsync(int devices, int users, int runs, int listed)
    {
        var total = Stopwatch.StartNew();
        Console.WriteLine($"dry-run benchmark: {devices:N0} devices, {users:N0} users, role '{EditedRole}' held by every tenth user; {runs} measured dry runs after {WarmUp} warm-up; {listed} users listed at most");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average at start {LoadAverage()}, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        await using var redis = await RedisServer.StartAsync();
        var settings = new Dictionary<string, string>
        {
            ["Authz:Redis:Configuration"] = redis.Configuration,
            ["Authz:Limits:MaxNodesPerWrite"] = NodesPerBatch.ToString(CultureInfo.InvariantCulture),
            ["Authz:Limits:MaxMessageBytes"] = (32 * 1024 * 1024).ToString(CultureInfo.InvariantCulture),
            // Listing every holder makes the answer ~13 MB (5 permissions x 40 device ids each): a client limit to match below.
            ["Authz:Limits:MaxImpactUsers"] = listed.ToString(CultureInfo.InvariantCulture),
            ["DOTNET_GCgen0size"] = "0x2000000",
        };
        await using var service = await ServiceProcess.StartAsync(settings);
        using var channel = GrpcChannel.ForAddress(service.Address, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 });
        var admin = new AdminService.AdminServiceClient(channel);

        var fleet = new WriteFleet("dry", devices, users);
        var seeding = Stopwatch.StartNew();
        await admin.CreateAccountAsync(fleet.CreateRequest(), deadline: Deadline());
        foreach (var role in fleet.Roles.Append(Edited(fleet.AccountId, 0)))
        {
            await admin.PutRoleAsync(new PutRoleRequest { Role = role }, deadline: Deadline());
        }

        foreach (var chunk in fleet.Groups.Concat(fleet.Devices).Chunk(NodesPerBatch))
        {
            var request = new PutNodesRequest { AccountId = fleet.AccountId };
            request.Nodes.AddRange(chunk);
            await admin.PutNodesAsync(request, deadline: Deadline());
        }

        for (var u = 0; u < fleet.Users.Count; u += 10)
        {
            fleet.Users[u].RoleIds.Add(EditedRole);
        }

        foreach (var chunk in fleet.Users.Chunk(1_000))
        {
            var request = new PutUsersRequest { AccountId = fleet.AccountId };
            request.Users.AddRange(chunk);
            await admin.PutUsersAsync(request, deadline: Deadline());
        }

        var revision = (await admin.SetRemoteAccessAsync(
            new SetRemoteAccessRequest { AccountId = fleet.AccountId, NodeId = "root", Setting = RemoteAccessSetting.Enabled }, deadline: Deadline())).Revision;
        Console.WriteLine($"seeded in {seeding.Elapsed.TotalSeconds:F1} s: {fleet.Devices.Count:N0} devices, {fleet.Groups.Count:N0} groups, {fleet.Users.Count:N0} users, revision {revision}");

        var roleMs = new List<double>();
        var impactUsers = 0;
        for (var k = 0; k < WarmUp + runs; k++)
        {
            var request = new PutRoleRequest { Role = Edited(fleet.AccountId, 1 + (k % 2)), DryRun = true };
            var started = Stopwatch.GetTimestamp();
            var answer = await admin.PutRoleAsync(request, deadline: Deadline());
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (answer.Revision != revision)
            {
                throw new InvalidOperationException($"a dry run answered revision {answer.Revision}, the store is at {revision}");
            }

            impactUsers = answer.Impact.UsersTotal;
            if (k >= WarmUp)
            {
                roleMs.Add(ms);
            }
        }

        Console.WriteLine($"PutRole dry run ('{EditedRole}', {impactUsers} users in the impact): {Percentiles.Summary(roleMs)}");

        var remoteMs = new List<double>();
        for (var k = 0; k < WarmUp + runs / 5; k++)
        {
            var request = new SetRemoteAccessRequest { AccountId = fleet.AccountId, NodeId = fleet.MovableGroup.NodeId, Setting = RemoteAccessSetting.Disabled, DryRun = true };
            var started = Stopwatch.GetTimestamp();
            var answer = await admin.SetRemoteAccessAsync(request, deadline: Deadline());
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            impactUsers = answer.Impact.UsersTotal;
            if (k >= WarmUp)
            {
                remoteMs.Add(ms);
            }
        }

        Console.WriteLine($"SetRemoteAccess dry run (group {fleet.MovableGroup.NodeId}, {fleet.DevicesBelow(fleet.MovableGroup.NodeId):N0} devices; {impactUsers} users in the impact): {Percentiles.Summary(remoteMs)}");
        var after = (await admin.ListRolesAsync(new ListRolesRequest { AccountId = fleet.AccountId }, deadline: Deadline())).Revision;
        if (after != revision)
        {
            throw new InvalidOperationException($"the dry runs moved the account from revision {revision} to {after}");
        }

        Console.WriteLine($"revision unchanged ({after})");

        // The baseline: the same edit written for real (commit, then this replica's snapshot patched).
        var realMs = new List<double>();
        for (var k = 0; k < 2 + 10; k++)
        {
            var request = new PutRoleRequest { Role = Edited(fleet.AccountId, 1 + (k % 2)) };
            var started = Stopwatch.GetTimestamp();
            await admin.PutRoleAsync(request, deadline: Deadline());
            if (k >= 2)
            {
                realMs.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        Console.WriteLine($"PutRole written for real, the same edit (baseline): {Percentiles.Summary(realMs)}");
        Console.WriteLine($"load average at the end {LoadAverage()}; whole run {total.Elapsed.TotalMinutes:F1} min");
        return 0;
    }

    /// <summary>The edited role in one of three forms: what it is seeded with, and the two the dry runs switch between.</summary>
    private static Role Edited(string accountId, int form)
    {
        var role = new Role { AccountId = accountId, RoleId = EditedRole, Name = "Edited" };
        void Add(string permission, params string[] resources)
        {
            var policy = new Policy { Permission = permission };
            policy.Resources.AddRange(resources);
            role.Policies.Add(policy);
        }

        switch (form)
        {
            case 0:
                Add("device:read", "tag:t1", "node:r1");
                Add("remote-access:connect", "tag:t2/console");
                break;
            case 1:
                Add("device:read", "tag:t3", "node:r2");
                Add("device:manage", "tag:t1");
                Add("remote-access:connect", "node:r3");
                Add("billing:read");
                break;
            default:
                Add("device:read", "tag:t1");
                Add("remote-access:connect", "tag:t2/console", "tag:t4/tunnel(proto=tcp;port=22)");
                Add("cve:read");
                break;
        }

        return role;
    }

    private static DateTime Deadline() => DateTime.UtcNow + CallTimeout;

    private static string LoadAverage()
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
}
