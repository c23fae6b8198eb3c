using BenchmarkDotNet.Attributes;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.Service.Storage.Sqlite;

namespace Qbee.Authz.Benchmarks;

/// <summary>
/// The audit writer's cost: one transaction of 5000 remote-access decisions appended to a SQLite store (a commit is an
/// fsync). Each operation is one event. Spread: 5000 devices and 1000 users, so nearly every event adds index entries
/// of its own; Repeated: one user on one device, as under the load harness (a burst of connects).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class AuditAppendBenchmarks
{
    private const int Batch = 5000;
    private string _directory = string.Empty;
    private SqlAuthzStore _store = null!;
    private AuditRecord[] _spread = [];
    private AuditRecord[] _repeated = [];

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "qbee-authz-bench-audit", Guid.NewGuid().ToString("N"));
        _store = new SqlAuthzStore(new SqliteConnectionFactory($"Data Source={Path.Combine(_directory, "authz.db")}"), SqliteDialect.Instance, TimeProvider.System);
        _store.InitializeAsync(CancellationToken.None).GetAwaiter().GetResult();
        var remote = new RemoteAccessRequest(RemoteAction.Tunnel, "tcp", 8080, "localhost", string.Empty, string.Empty);
        _spread = Enumerable.Range(0, Batch).Select(i => new AuditRecord(
            0, DateTimeOffset.UtcNow, "load", "remote_access.check", $"u{i % 1000}", i.ToString("x64"), "remote-access:connect", remote,
            true, 1, "role20", "tag:t0/tunnel(proto=tcp;port=8000-8100;dst=localhost)", "anonymous", string.Empty, "Allowed.", 1167)).ToArray();
        _repeated = _spread.Select(e => e with { UserId = "u1", DeviceId = _spread[0].DeviceId }).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    [Benchmark(OperationsPerInvoke = Batch)]
    public Task AppendSpread() => _store.AppendAuditEventsAsync(_spread, CancellationToken.None);

    [Benchmark(OperationsPerInvoke = Batch)]
    public Task AppendRepeated() => _store.AppendAuditEventsAsync(_repeated, CancellationToken.None);
}
