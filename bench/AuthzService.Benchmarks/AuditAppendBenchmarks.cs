using BenchmarkDotNet.Attributes;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Benchmarks;

/// <summary>
/// The audit writer's cost: one transaction of 5000 remote-access decisions appended to a SQLite store (a commit is an fsync), the
/// batch size the writer reaches at ~50k decisions/s. Each operation is one event.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class AuditAppendBenchmarks
{
    private const int Batch = 5000;
    private string _directory = string.Empty;
    private SqlAuthzStore _store = null!;
    private AuditRecord[] _events = [];

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "qbee-authz-bench-audit", Guid.NewGuid().ToString("N"));
        _store = new SqlAuthzStore(new SqliteConnectionFactory($"Data Source={Path.Combine(_directory, "authz.db")}"), SqliteDialect.Instance, TimeProvider.System);
        _store.InitializeAsync(CancellationToken.None).GetAwaiter().GetResult();
        var remote = new RemoteAccessRequest(RemoteAction.Tunnel, "tcp", 8080, "localhost", string.Empty, string.Empty);
        _events = Enumerable.Range(0, Batch).Select(i => new AuditRecord(
            0, DateTimeOffset.UtcNow, "load", "remote_access.check", $"u{i % 1000}", i.ToString("x64"), "remote-access:connect", remote,
            true, 1, "role20", "tag:t0/tunnel(proto=tcp;port=8000-8100;dst=localhost)", "anonymous", string.Empty, "Allowed.", 1167)).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    [Benchmark(OperationsPerInvoke = Batch)]
    public Task AppendBatchOf5000() => _store.AppendAuditEventsAsync(_events, CancellationToken.None);
}
