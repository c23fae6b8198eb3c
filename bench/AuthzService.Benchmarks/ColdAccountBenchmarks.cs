using BenchmarkDotNet.Attributes;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Snapshots;

namespace Qbee.Authz.Benchmarks;

/// <summary>
/// What a cold account's first check pays in process once Redis's compacted snapshot is read (issue 18: <= 50 ms for
/// 10,000 devices): decoding the bytes, compiling the snapshot, and both.
/// </summary>
[MemoryDiagnoser]
public class ColdAccountBenchmarks
{
    private AccountData _data = null!;
    private byte[] _compacted = null!;

    [Params(10_000)]
    public int Devices { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = AccountGenerator.Generate(Devices);
        _compacted = AccountDataCodec.Encode(_data);
        if (AccountDataCodec.Decode(_compacted, _data.Account.AccountId) is not { } decoded || decoded.Nodes.Count != _data.Nodes.Count)
        {
            throw new InvalidOperationException("the compacted bytes do not decode to the account");
        }
    }

    [Benchmark]
    public int Decode() => AccountDataCodec.Decode(_compacted, _data.Account.AccountId)!.Nodes.Count;

    [Benchmark]
    public int Compile() => AccountGenerator.Compile(_data).DeviceCount;

    [Benchmark]
    public int DecodeAndCompile() => AccountGenerator.Compile(AccountDataCodec.Decode(_compacted, _data.Account.AccountId)!).DeviceCount;
}
