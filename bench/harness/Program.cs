using System.Globalization;

namespace Qbee.Authz.Harness;

// A named class: the service assembly (referenced through the kit) has its own top-level Program.
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        switch (args)
        {
            case ["--convergence", ..]:
                await ConvergenceHarness.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000);
                return 0;
            case ["--writes", ..]:
                return await WriteBenchmark.RunAsync(WriteBenchmarkOptions.Parse(args));
            case ["--replica-writes", ..]:
                return await ReplicaWriteBenchmark.RunAsync(ReplicaWriteBenchmarkOptions.Parse(args));
            case ["--who", ..]:
                await WhoBenchmark.RunAsync(
                    args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000,
                    args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10_000);
                return 0;
            case ["--dry-run", ..]:
                return await DryRunBenchmark.RunAsync(
                    Arg(args, 1, 100_000), Arg(args, 2, 10_000), Arg(args, 3, 50), Arg(args, 4, 100));
            case ["--export", ..]:
                return await ExportImportBenchmark.RunAsync(
                    args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000,
                    args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10_000);
            case ["--store-import", ..]:
                return await StoreImportBenchmark.RunAsync(Arg(args, 1, 100_000));
            case ["--call-cost", ..]:
                return await CallCostBenchmark.RunAsync(Arg(args, 1, 100_000));
            case ["--scale", ..]:
                return await ScaleBenchmark.RunAsync(Arg(args, 1, 2_000), Arg(args, 2, 2_000_000), Arg(args, 3, 10), Arg(args, 4, 100_000), args.Length > 5 ? args[5] : null);
            case ["--startup", ..]:
                return await StartupBenchmark.RunAsync(Arg(args, 1, 5), Arg(args, 2, 200), args.Length > 3 ? args[3] : null);
            case ["--memory", ..]:
                MemoryReport.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000);
                return 0;
            default:
                await Console.Error.WriteLineAsync("usage: --convergence [writes, default 1000] | --memory [devices, default 1000000] | --writes [--devices 1000,100000] [--writes 200] [--quick] | --replica-writes [--stores sqlite,postgres] [--devices 100000] [--seconds 15] | --who [devices, default 100000] [users, default 10000] | --dry-run [devices 100000] [users 10000] [runs 50] [listed 100] | --export [devices, default 100000] [users, default 10000] | --store-import [devices, default 100000] | --call-cost [calls, default 100000] | --scale [accounts 2000] [devices 2000000] [large 10] [large-devices 100000] [published folder] | --startup [runs 5] [accounts 200] [published folder] (see bench/README.md)");
                return 2;
        }
    }

    private static int Arg(string[] args, int index, int fallback) =>
        args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
}
