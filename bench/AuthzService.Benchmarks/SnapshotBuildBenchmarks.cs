using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Benchmarks;

/// <summary>
/// SnapshotCompiler.Compile of the generated account: what a cold start or a refresh after a write costs.
/// A macro benchmark (seconds per operation), so few iterations, each measured once. "Allocated" is the total
/// allocated while compiling, not what the snapshot keeps: see <c>--memory</c> for the retained heap.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class SnapshotBuildBenchmarks
{
    private AccountData _data = null!;

    [Params(100_000, 1_000_000)]
    public int Devices { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = AccountGenerator.Generate(Devices);
        AccountGenerator.Compile(_data);
    }

    [Benchmark]
    public int Compile() => AccountGenerator.Compile(_data).DeviceCount;
}
