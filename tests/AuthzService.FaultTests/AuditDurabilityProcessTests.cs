using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using Qbee.Authz.V1;
using Xunit.Abstractions;

namespace Qbee.Authz.Service.FaultTests;

/// <summary>
/// Audit never loses an answered decision, against the real process: killed under connect load, with its store
/// locked by another process, with its disk full. Every connect check sends its own x-request-id; afterwards each
/// one that was answered must have its event.
/// </summary>
public sealed class AuditDurabilityProcessTests(ITestOutputHelper output)
{
    private const string Acme = "acme";
    private const string Owner = "olivia";
    private static readonly string Device1 = Fleet.DeviceId(1);

    [Fact]
    public async Task Kill_UnderConnectLoad_EveryAnsweredDecisionHasItsEvent()
    {
        await using var service = await ServiceProcess.StartAsync();
        await SeedAsync(service);
        var answered = new ConcurrentQueue<string>();
        var failures = new ConcurrentQueue<string>();
        var killing = false;

        var callers = Enumerable.Range(0, 32).Select(caller => Task.Run(async () =>
        {
            for (var n = 0; ; n++)
            {
                var requestId = $"kill-{caller}-{n}";
                try
                {
                    var answer = await ConnectAsync(service, requestId, TimeSpan.FromSeconds(10));
                    answered.Enqueue(requestId);
                    if (!answer.Allowed)
                    {
                        failures.Enqueue($"{requestId}: denied ({answer.Message})");
                    }
                }
                catch (Exception e) when (e is RpcException or ObjectDisposedException or InvalidOperationException)
                {
                    if (!Volatile.Read(ref killing))
                    {
                        failures.Enqueue($"{requestId}: {e.Message}");
                    }

                    return; // the process is gone
                }
            }
        })).ToArray();

        // Bounded: 2,000 answers or 3 s, whichever comes first; then SIGKILL in the middle of the load.
        var stopAt = DateTime.UtcNow.AddSeconds(3);
        while (answered.Count < 2_000 && DateTime.UtcNow < stopAt && failures.IsEmpty)
        {
            await Task.Delay(5);
        }

        Volatile.Write(ref killing, true);
        await service.KillAsync();
        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(failures.IsEmpty, string.Join('\n', failures.Take(10)));
        Assert.True(answered.Count >= 200, $"only {answered.Count} connect checks were answered before the kill");

        await service.RestartAsync();

        var events = await ConnectEventRequestIdsAsync(service);
        var lost = answered.Where(id => !events.Contains(id)).ToList();
        output.WriteLine($"{answered.Count} connect decisions answered before SIGKILL, {events.Count(id => id.StartsWith("kill-", StringComparison.Ordinal))} events after restart, {lost.Count} lost");
        Assert.True(lost.Count == 0, $"{lost.Count} of {answered.Count} answered decisions have no audit event: {string.Join(", ", lost.Take(10))}");
    }

    [Fact]
    public async Task WriteLockHeldByAnotherProcess_ConnectUnavailableWithinDeadlineOthersAnswer_RecoversWithoutRestart()
    {
        await using var service = await ServiceProcess.StartAsync(new Dictionary<string, string> { ["Authz:Audit:CommitTimeout"] = "00:00:03" });
        await SeedAsync(service);
        var answered = new List<string>();
        Assert.True((await ConnectAsync(service, "lock-before", TimeSpan.FromSeconds(10))).Allowed);
        answered.Add("lock-before");

        await using (var holder = new SqliteConnection($"Data Source={service.DatabasePath};Pooling=False"))
        {
            await holder.OpenAsync();
            await using var write = holder.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: SQLite's write lock

            // Shorter than the store's busy wait (5 s): answered UNAVAILABLE before it, not DEADLINE_EXCEEDED.
            var refused = await Assert.ThrowsAsync<RpcException>(() => ConnectAsync(service, "lock-refused-1", TimeSpan.FromSeconds(4)));
            Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
            Assert.Equal("audit store unavailable", refused.Status.Detail);

            var read = await service.Authz.CheckAsync(new CheckRequest { UserId = Owner, Permission = "device:read", DeviceId = Device1 }, deadline: DateTime.UtcNow.AddSeconds(4));
            Assert.True(read.Allowed, read.Message);

            var status = await service.Admin.GetStatusAsync(new GetStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.Equal("unavailable", status.Audit.State);
            Assert.Contains("audit store unavailable since", status.Audit.Detail);
            output.WriteLine($"GetStatus audit while locked: {status.Audit.Detail}");

            var next = Stopwatch.StartNew();
            var fast = await Assert.ThrowsAsync<RpcException>(() => ConnectAsync(service, "lock-refused-2", TimeSpan.FromSeconds(4)));
            Assert.Equal(StatusCode.Unavailable, fast.StatusCode);
            output.WriteLine($"a connect check once the store is known locked: UNAVAILABLE in {next.Elapsed.TotalMilliseconds:F0} ms");

            await write.RollbackAsync();
        }

        answered.Add(await WaitUntilGrantedAsync(service, "lock-after"));
        Assert.Equal("ok", (await service.Admin.GetStatusAsync(new GetStatusRequest())).Audit.State);
        var events = await ConnectEventRequestIdsAsync(service);
        Assert.All(answered, id => Assert.Contains(id, events));
        Assert.Contains(service.LogLines, line => line.Contains("The audit store is unavailable", StringComparison.Ordinal));
        Assert.Contains(service.LogLines, line => line.Contains("The audit store takes events again", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task DiskFull_ConnectUnavailableAdminWritesRefused_ThenRecovers()
    {
        if (GetEffectiveUserId() != 0)
        {
            const string reason = "DISK-FULL FAULT TEST NOT RUN: mounting a tmpfs needs root (CI runs as root)";
            output.WriteLine(reason);
            Console.Error.WriteLine(reason);
            Skip.If(true, reason);
        }

        var mount = Path.Combine(Path.GetTempPath(), "qbee-authz-diskfull", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(mount);
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mount);
        try
        {
            await using var service = await ServiceProcess.StartAsync(dataDirectory: Path.Combine(mount, "data"));
            await SeedAsync(service);
            var answered = new List<string>();
            for (var i = 0; i < 20; i++)
            {
                Assert.True((await ConnectAsync(service, $"full-before-{i}", TimeSpan.FromSeconds(10))).Allowed);
                answered.Add($"full-before-{i}");
            }

            var filler = Path.Combine(mount, "filler");
            await using (var holder = new SqliteConnection($"Data Source={service.DatabasePath};Pooling=False"))
            {
                // An empty WAL: the next commit needs new blocks, which the full disk no longer has.
                await holder.OpenAsync();
                await TruncateWalAsync(holder);
            }

            FillDisk(filler);

            var refused = await Assert.ThrowsAsync<RpcException>(() => ConnectAsync(service, "full-refused", TimeSpan.FromSeconds(10)));
            Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
            Assert.Equal("audit store unavailable", refused.Status.Detail);

            var read = await service.Authz.CheckAsync(new CheckRequest { UserId = Owner, Permission = "device:read", DeviceId = Device1 }, deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.True(read.Allowed, read.Message);

            var write = await Assert.ThrowsAsync<RpcException>(() =>
                service.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Fleet.DeviceId(2), "") }, deadline: DateTime.UtcNow.AddSeconds(20)).ResponseAsync);
            Assert.Equal(StatusCode.Unavailable, write.StatusCode);
            Assert.Contains("store is unavailable", write.Status.Detail);

            var status = await service.Admin.GetStatusAsync(new GetStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.Equal("unavailable", status.Audit.State);
            Assert.Contains("full", status.Audit.Detail);
            output.WriteLine($"GetStatus audit on a full disk: {status.Audit.Detail}");

            File.Delete(filler);

            answered.Add(await WaitUntilGrantedAsync(service, "full-after"));
            await service.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Fleet.DeviceId(2), "") }, deadline: DateTime.UtcNow.AddSeconds(20));
            var events = await ConnectEventRequestIdsAsync(service);
            var lost = answered.Where(id => !events.Contains(id)).ToList();
            Assert.True(lost.Count == 0, $"answered decisions without an event: {string.Join(", ", lost)}");
        }
        finally
        {
            await RunAsync("umount", "-l", mount);
            Directory.Delete(mount, recursive: true);
        }
    }

    private static async Task SeedAsync(ServiceProcess service)
    {
        await service.Admin.CreateAccountAsync(Fleet.Account(Acme, Owner));
        await service.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Device1, "") });
        await service.Admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Acme, NodeId = "root", Setting = RemoteAccessSetting.Enabled });
    }

    private static async Task<CheckResponse> ConnectAsync(ServiceProcess service, string requestId, TimeSpan deadline) =>
        await service.Authz.CheckAsync(
            new CheckRequest { UserId = Owner, Permission = "remote-access:connect", DeviceId = Device1, RemoteAccess = new RemoteAccess { Action = RemoteAccessAction.Console } },
            new Metadata { { "x-request-id", requestId } },
            deadline: DateTime.UtcNow + deadline);

    /// <summary>Retries a connect check until it is granted (the writer recovers on its own back-off); returns its request id.</summary>
    private static async Task<string> WaitUntilGrantedAsync(ServiceProcess service, string prefix)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        for (var attempt = 0; ; attempt++)
        {
            var requestId = $"{prefix}-{attempt}";
            try
            {
                Assert.True((await ConnectAsync(service, requestId, TimeSpan.FromSeconds(10))).Allowed);
                return requestId;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>The request ids of every remote-access decision in the audit trail, read page by page.</summary>
    private static async Task<HashSet<string>> ConnectEventRequestIdsAsync(ServiceProcess service)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var page = new ListAuditEventsRequest { AccountId = Acme, PageSize = 1000 };
        while (true)
        {
            var answer = await service.Admin.ListAuditEventsAsync(page, deadline: DateTime.UtcNow.AddSeconds(30));
            foreach (var e in answer.Events.Where(e => e.Kind == "remote_access.check"))
            {
                ids.Add(e.RequestId);
            }

            if (answer.NextPageToken.Length == 0)
            {
                return ids;
            }

            page.PageToken = answer.NextPageToken;
        }
    }

    private static async Task TruncateWalAsync(SqliteConnection connection)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            if (reader.GetInt64(0) == 0)
            {
                return; // not busy: checkpointed and truncated
            }

            Assert.True(DateTime.UtcNow < deadline, "the WAL could not be checkpointed: the service kept it busy");
            await Task.Delay(50);
        }
    }

    /// <summary>Writes until the file system says it is full.</summary>
    private static void FillDisk(string path)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1);
        foreach (var chunk in new[] { 1 << 20, 4096, 1 })
        {
            var bytes = new byte[chunk];
            try
            {
                while (true)
                {
                    file.Write(bytes);
                }
            }
            catch (IOException)
            {
                // ENOSPC at this chunk size: go on with a smaller one
            }
        }
    }

    private static async Task RunAsync(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{command} did not start");
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}");
    }

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUserId();
}
