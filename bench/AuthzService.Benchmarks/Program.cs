using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Qbee.Authz.Benchmarks;

// A named class: the service assembly (referenced) has its own top-level Program.
internal static class Program
{
    /// <summary>
    /// In process: BenchmarkDotNet's out-of-process toolchain looks for a project named like the assembly
    /// (Qbee.Authz.Benchmarks.csproj), which this project is not. The mutator adds the toolchain to the jobs
    /// the classes declare; the process runs with the service's GC settings (workstation, concurrent; see the csproj).
    /// </summary>
    private static readonly IConfig Config = DefaultConfig.Instance
        .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).AsMutator());

    public static void Main(string[] args)
    {
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, Config);
    }
}
