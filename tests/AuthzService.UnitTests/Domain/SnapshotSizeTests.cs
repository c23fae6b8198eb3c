using System.Runtime;
using System.Runtime.CompilerServices;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.TestKit.Accounts;

namespace Qbee.Authz.Service.UnitTests.Domain;

/// <summary>Alone (heap growth is measured): no other test allocates meanwhile.</summary>
[Collection(nameof(SnapshotSizeTests))]
public sealed class SnapshotSizeTests
{
    [Fact]
    public void EstimatedBytes_GeneratedAccount_WithinAFactorOfTwoOfTheHeapItKeeps()
    {
        var baseline = Settle();
        var snapshot = Build(20_000);
        var kept = Settle() - baseline;

        var estimate = snapshot.EstimatedBytes;

        Assert.InRange(estimate, kept / 2, kept * 2);
        GC.KeepAlive(snapshot);
    }

    [Fact]
    public void EstimatedBytes_GrowsWithTheAccount()
    {
        var small = AccountGenerator.Compile(AccountGenerator.Generate(1_000));
        var large = AccountGenerator.Compile(AccountGenerator.Generate(10_000));

        Assert.True(large.EstimatedBytes > 2 * small.EstimatedBytes, $"{large.EstimatedBytes} vs {small.EstimatedBytes}");
        Assert.Equal(large.EstimatedBytes, large.EstimatedBytes);
    }

    // Not inlined: the generated rows die with this frame, so only the snapshot (and the id strings it shares) stay.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static AccountSnapshot Build(int devices) => AccountGenerator.Compile(AccountGenerator.Generate(devices));

    private static long Settle()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}

[CollectionDefinition(nameof(SnapshotSizeTests), DisableParallelization = true)]
public sealed class SnapshotSizeCollection;
