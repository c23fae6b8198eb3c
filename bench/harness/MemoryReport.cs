using System.Diagnostics;
using System.Runtime;
using System.Runtime.CompilerServices;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.TestKit.Accounts;

namespace Qbee.Authz.Harness;

/// <summary>
/// <c>--memory [devices]</c>: compiles one snapshot outside BenchmarkDotNet and prints what it keeps on the
/// managed heap (after a full, compacting collection) and how long the compile took.
/// </summary>
internal static class MemoryReport
{
    public static void Run(int devices)
    {
        var baseline = Settle();
        var snapshot = Build(devices, baseline);

        // The snapshot shares the id strings with the AccountData; once the data is gone only the snapshot stays.
        var snapshotOnly = Settle();
        Console.WriteLine($"snapshot alone:       heap +{Mb(snapshotOnly - baseline)} (AccountData collected; the id strings stay)");
        Console.WriteLine($"peak working set:     {Mb(Process.GetCurrentProcess().PeakWorkingSet64)}");
        GC.KeepAlive(snapshot);
    }

    // Not inlined, so that nothing on Run's frame keeps the AccountData alive after it returns.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static AccountSnapshot Build(int devices, long baseline)
    {
        var generate = Stopwatch.StartNew();
        var data = AccountGenerator.Generate(devices);
        generate.Stop();
        var withData = Settle();

        var compile = Stopwatch.StartNew();
        var snapshot = AccountGenerator.Compile(data);
        compile.Stop();
        var withSnapshot = Settle();

        Console.WriteLine($"devices:              {snapshot.DeviceCount:N0} ({data.Nodes.Count:N0} nodes, {data.Users.Count:N0} users, {data.Roles.Count} roles, {snapshot.TagNames.Length} tags)");
        Console.WriteLine($"GC:                   {(GCSettings.IsServerGC ? "server" : "workstation")}, {Environment.ProcessorCount} cores");
        Console.WriteLine($"generate AccountData: {generate.Elapsed.TotalMilliseconds:N0} ms, heap +{Mb(withData - baseline)}");
        Console.WriteLine($"compile snapshot:     {compile.Elapsed.TotalMilliseconds:N0} ms (first run: includes JIT), heap +{Mb(withSnapshot - withData)} (AccountData still alive)");
        return snapshot;
    }

    private static long Settle()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static string Mb(long bytes) => $"{bytes / (1024.0 * 1024.0):N1} MB";
}
