using Grpc.Core;
using Qbee.Authz.V1;

namespace Qbee.Authz.TestKit;

/// <summary>
/// N replicas of the service, each its own OS process (<see cref="ServiceProcess"/>) on its own loopback port, on
/// one <see cref="SharedStore"/> and one real redis-server: what several pods behind one database do. Reads what
/// each replica holds (its snapshot revision, its decisions) so a test can say whether they converged.
/// </summary>
public sealed class ReplicaSet : IAsyncDisposable
{
    private static readonly TimeSpan ConvergeTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The probes of <see cref="DecisionsAsync"/>: a device permission, and the console where remote access is on.</summary>
    private static readonly (string Permission, RemoteAccess? RemoteAccess)[] Probes =
    [
        ("device:read", null),
        ("remote-access:connect", new RemoteAccess { Action = RemoteAccessAction.Console }),
    ];

    private readonly List<ServiceProcess> _replicas = [];

    private ReplicaSet(SharedStore store) => Store = store;

    public SharedStore Store { get; }

    public IReadOnlyList<ServiceProcess> Replicas => _replicas;

    public ServiceProcess this[int index] => _replicas[index];

    /// <summary>The replicas not killed or stopped.</summary>
    public IEnumerable<ServiceProcess> Running => _replicas.Where(r => r.IsRunning);

    /// <summary>
    /// Starts <paramref name="count"/> replicas, the first alone (it migrates the store) and then the others at once,
    /// each waited on until SERVING. Redis carries a write to the others; polling every 200 ms catches what Redis
    /// missed (a replica killed between its commit and its publish). <paramref name="settings"/> override both.
    /// </summary>
    public static async Task<ReplicaSet> StartAsync(int count, SharedStore store, RedisServer redis, IReadOnlyDictionary<string, string>? settings = null)
    {
        var merged = new Dictionary<string, string>(store.Settings, StringComparer.Ordinal)
        {
            ["Authz:Redis:Configuration"] = $"{redis.Configuration},connectTimeout=1000,connectRetry=1",
            ["Authz:Redis:PollInterval"] = "00:00:00.200",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            merged[key] = value;
        }

        var set = new ReplicaSet(store);
        try
        {
            set._replicas.Add(await ServiceProcess.StartAsync(merged, store.DataDirectory));
            var others = Enumerable.Range(1, count - 1).Select(_ => ServiceProcess.StartAsync(merged, store.DataDirectory)).ToList();
            try
            {
                await Task.WhenAll(others);
            }
            finally
            {
                // The ones that did start are disposed with the set when another failed.
                set._replicas.AddRange(others.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
            }
        }
        catch
        {
            await set.DisposeAsync();
            throw;
        }

        return set;
    }

    /// <summary>What <paramref name="replica"/> says of the account: the store's revision and its snapshot's (null: not held).</summary>
    public static async Task<AccountStatus?> AccountStatusAsync(ServiceProcess replica, string accountId)
    {
        var status = await replica.Admin.GetStatusAsync(new GetStatusRequest(), deadline: DateTime.UtcNow + CallTimeout);
        return status.Accounts.SingleOrDefault(a => a.AccountId == accountId);
    }

    /// <summary>
    /// Waits until every running replica answers from a snapshot of the account at the store's revision, the same
    /// on all; returns it. A replica that never gets there fails the wait, naming what each one held.
    /// </summary>
    public async Task<ulong> WaitForConvergenceAsync(string accountId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? ConvergeTimeout);
        var last = "no answer";
        while (true)
        {
            try
            {
                var statuses = await Task.WhenAll(Running.Select(r => AccountStatusAsync(r, accountId)));
                last = string.Join("; ", statuses.Select((s, i) => s is null ? $"#{i}: not held" : $"#{i}: store {s.Revision}, snapshot {s.SnapshotRevision}"));
                if (statuses.All(s => s is not null) && statuses.Select(s => s!.SnapshotRevision).Distinct().Count() == 1
                    && statuses.All(s => s!.SnapshotRevision == s.Revision))
                {
                    return statuses[0]!.Revision;
                }
            }
            catch (RpcException e)
            {
                last = e.Status.ToString();
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the replicas did not converge on account {accountId}: {last}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// What <paramref name="replica"/> decides at <paramref name="revision"/> for each user, one line per user and
    /// probe: "user permission@revision: the allowed devices, sorted" (or the status a refusal carried). Two
    /// replicas holding the same snapshot give the same lines.
    /// </summary>
    public static async Task<IReadOnlyList<string>> DecisionsAsync(ServiceProcess replica, ulong revision, IEnumerable<string> userIds)
    {
        var lines = new List<string>();
        foreach (var userId in userIds.Order(StringComparer.Ordinal))
        {
            foreach (var (permission, remoteAccess) in Probes)
            {
                lines.Add($"{userId} {permission}{await AllowedDevicesAsync(replica, revision, userId, permission, remoteAccess)}");
            }
        }

        return lines;
    }

    /// <summary>The store's content of the account, read through <paramref name="replica"/>'s ExportAccount (all at one revision).</summary>
    public static async Task<List<AccountRecord>> ExportAsync(ServiceProcess replica, string accountId)
    {
        using var call = replica.Admin.ExportAccount(new ExportAccountRequest { AccountId = accountId }, deadline: DateTime.UtcNow + CallTimeout);
        var records = new List<AccountRecord>();
        await foreach (var record in call.ResponseStream.ReadAllAsync())
        {
            records.Add(record);
        }

        return records;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }
    }

    private static async Task<string> AllowedDevicesAsync(ServiceProcess replica, ulong revision, string userId, string permission, RemoteAccess? remoteAccess)
    {
        var request = new ListAllowedDevicesRequest { UserId = userId, Permission = permission, PageSize = 1000, MinRevision = revision };
        if (remoteAccess is not null)
        {
            request.RemoteAccess = remoteAccess;
        }

        var devices = new List<string>();
        var revisions = new SortedSet<ulong>();
        try
        {
            while (true)
            {
                var page = await replica.Authz.ListAllowedDevicesAsync(request, deadline: DateTime.UtcNow + CallTimeout);
                devices.AddRange(page.DeviceIds);
                revisions.Add(page.Revision);
                if (page.NextPageToken.Length == 0)
                {
                    break;
                }

                request.PageToken = page.NextPageToken;
            }
        }
        catch (RpcException e) when (e.StatusCode is not StatusCode.Unavailable and not StatusCode.DeadlineExceeded)
        {
            return $"@{revision}: {e.StatusCode}";
        }

        devices.Sort(StringComparer.Ordinal);
        return $"@{string.Join('/', revisions)}: {string.Join(',', devices)}";
    }
}
