using System.Diagnostics;
using System.Globalization;
using Qbee.Authz.TestKit;
using Qbee.Authz.V1;

namespace Qbee.Authz.Harness;

/// <summary>
/// <c>--who [devices] [users]</c>: the first page of ListDeviceUsers on a large account (issue 17: at most 20 ms on
/// 100,000 devices and 10,000 users). One replica in this process on loopback (the kit's <see cref="AuthzServer"/>,
/// SQLite, no Redis), seeded with the write benchmark's account (<see cref="WriteFleet"/>: 50 roles over tags, groups
/// and connect actions; users with 1-3 roles, one in 50 disabled) through PutNodes and PutUsers of 1,000. Each sample is
/// one ListDeviceUsers call (page_size 0: 100 users) on a device drawn at random (fixed seed), timed by a Stopwatch
/// around the gRPC call; the process's first call and the first call after each of 20 writes (which sorts the users of
/// the new revision) are reported alone, the warm-up left out, the percentiles over every other sample.
/// </summary>
internal static class WhoBenchmark
{
    private const int WarmUp = 50;
    private const int Samples = 500;
    private const int AfterWriteSamples = 20;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(30);

    private static readonly (string Name, string Permission, RemoteAccess? RemoteAccess)[] Queries =
    [
        ("device:read", "device:read", null),
        ("remote-access:connect (any action)", "remote-access:connect", null),
        ("remote-access:connect console", "remote-access:connect", new RemoteAccess { Action = RemoteAccessAction.Console }),
        ("audit:read (account-wide)", "audit:read", null),
    ];

    public static async Task RunAsync(int devices, int users)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        Console.WriteLine($"ListDeviceUsers benchmark: {devices:N0} devices, {users:N0} users; {Samples} samples per query after {WarmUp} warm-up");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average at start {WriteBenchmark.LoadAverage()}, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        var data = Path.Combine(Path.GetTempPath(), "qbee-authz-who", Guid.NewGuid().ToString("N"));
        await using var server = await AuthzServer.StartAsync(dataDirectory: data);
        var fleet = new WriteFleet($"who{devices}", devices, users);
        var seeded = Stopwatch.StartNew();
        var revision = await SeedAsync(server, fleet, timeout.Token);
        Console.WriteLine($"seeded {devices:N0} devices, {fleet.Groups.Count:N0} groups, {WriteFleet.RoleCount} roles, {users:N0} users in {seeded.Elapsed.TotalSeconds:F1} s; revision {revision}");

        var random = new Random(17);
        var cold = Stopwatch.GetTimestamp();
        var first = await ListAsync(server, fleet.Devices[0].NodeId, Queries[0], revision, timeout.Token);
        Console.WriteLine($"first call of the process (JIT, and the users of that revision sorted): {Stopwatch.GetElapsedTime(cold).TotalMilliseconds:F2} ms, {first.Users.Count} users");

        var all = new List<double>();
        foreach (var query in Queries)
        {
            var times = new List<double>();
            var listed = new List<int>();
            var disabled = 0;
            for (var i = 0; i < WarmUp + Samples; i++)
            {
                var device = fleet.Devices[random.Next(fleet.Devices.Count)].NodeId;
                var started = Stopwatch.GetTimestamp();
                var page = await ListAsync(server, device, query, revision, timeout.Token);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (i >= WarmUp)
                {
                    times.Add(elapsed);
                    listed.Add(page.Users.Count);
                    disabled += page.Reason == DecisionReason.RemoteAccessDisabled ? 1 : 0;
                }
            }

            all.AddRange(times);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{query.Name,-36} {Percentiles.Summary(times)}; users on the page: median {Percentiles.Median([.. listed.Select(n => (double)n)]):F0}, remote access off on {disabled} of {Samples}"));
        }

        Console.WriteLine($"all queries: {Percentiles.Summary(all)}");

        // Each write makes a new snapshot, whose users are sorted on its first ListDeviceUsers: that call alone.
        var afterWrite = new List<double>();
        for (var i = 0; i < AfterWriteSamples; i++)
        {
            var user = fleet.Users[random.Next(fleet.Users.Count)];
            user.LastName = $"renamed {i}";
            var written = (await server.Admin.PutUserAsync(new PutUserRequest { User = user }, cancellationToken: timeout.Token)).Revision;
            var started = Stopwatch.GetTimestamp();
            await ListAsync(server, fleet.Devices[random.Next(fleet.Devices.Count)].NodeId, Queries[0], written, timeout.Token);
            afterWrite.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        Console.WriteLine($"first call after each of {AfterWriteSamples} writes (a PutUser; the new revision's users sorted): {Percentiles.Summary(afterWrite)}");
        Console.WriteLine($"load average at the end {WriteBenchmark.LoadAverage()}");
    }

    private static async Task<ListDeviceUsersResponse> ListAsync(
        AuthzServer server, string deviceId, (string Name, string Permission, RemoteAccess? RemoteAccess) query, ulong revision, CancellationToken cancellationToken) =>
        await server.Authz.ListDeviceUsersAsync(
            new ListDeviceUsersRequest { DeviceId = deviceId, Permission = query.Permission, RemoteAccess = query.RemoteAccess, MinRevision = revision },
            cancellationToken: cancellationToken);

    private static async Task<ulong> SeedAsync(AuthzServer server, WriteFleet fleet, CancellationToken cancellationToken)
    {
        await server.Admin.CreateAccountAsync(fleet.CreateRequest(), cancellationToken: cancellationToken);
        foreach (var role in fleet.Roles)
        {
            await server.Admin.PutRoleAsync(new PutRoleRequest { Role = role }, cancellationToken: cancellationToken);
        }

        foreach (var chunk in fleet.Groups.Concat(fleet.Devices).Chunk(1_000))
        {
            var request = new PutNodesRequest { AccountId = fleet.AccountId };
            request.Nodes.AddRange(chunk);
            await server.Admin.PutNodesAsync(request, cancellationToken: cancellationToken);
        }

        foreach (var chunk in fleet.Users.Chunk(1_000))
        {
            var request = new PutUsersRequest { AccountId = fleet.AccountId };
            request.Users.AddRange(chunk);
            await server.Admin.PutUsersAsync(request, cancellationToken: cancellationToken);
        }

        // As the write benchmark: remote access on for the account, off for a top group and a tag, on for another tag.
        ulong revision = 0;
        foreach (var setting in new[]
        {
            new SetRemoteAccessRequest { AccountId = fleet.AccountId, NodeId = "root", Setting = RemoteAccessSetting.Enabled },
            new SetRemoteAccessRequest { AccountId = fleet.AccountId, NodeId = fleet.Groups.Last(g => g.ParentId == "root").NodeId, Setting = RemoteAccessSetting.Disabled },
            new SetRemoteAccessRequest { AccountId = fleet.AccountId, Tag = "t3", Setting = RemoteAccessSetting.Disabled },
            new SetRemoteAccessRequest { AccountId = fleet.AccountId, Tag = "t5", Setting = RemoteAccessSetting.Enabled },
        })
        {
            revision = (await server.Admin.SetRemoteAccessAsync(setting, cancellationToken: cancellationToken)).Revision;
        }

        return revision;
    }
}
