using System.Globalization;

namespace Qbee.Authz.Harness;

/// <summary>
/// <c>--replica-writes [--stores sqlite,postgres] [--devices 100000] [--writes 200] [--warm-up 20]
/// [--accounts-devices 1000] [--callers 4] [--seconds 15] [--timeout-minutes 60]</c>.
/// </summary>
internal sealed record ReplicaWriteBenchmarkOptions
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary>The stores measured, one after the other in this order: the first is the baseline.</summary>
    public string[] Stores { get; init; } = [Sqlite, Postgres];

    /// <summary>The account of the single writes.</summary>
    public int Devices { get; init; } = 100_000;

    /// <summary>Measured single writes, after <see cref="WarmUp"/> ones that are not.</summary>
    public int Writes { get; init; } = 200;

    public int WarmUp { get; init; } = 20;

    /// <summary>The size of each of the ten accounts the concurrent writes go to.</summary>
    public int AccountDevices { get; init; } = 1_000;

    /// <summary>Concurrent callers on each of the three replicas.</summary>
    public int Callers { get; init; } = 4;

    /// <summary>How long each concurrent round writes.</summary>
    public TimeSpan Round { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The whole run stops (and fails) past this.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(60);

    public static ReplicaWriteBenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ReplicaWriteBenchmarkOptions();
        for (var i = 1; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Number() => int.Parse(Value(), NumberStyles.None, CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--stores" => options with { Stores = Value().Split(',') },
                "--devices" => options with { Devices = Number() },
                "--writes" => options with { Writes = Number() },
                "--warm-up" => options with { WarmUp = Number() },
                "--accounts-devices" => options with { AccountDevices = Number() },
                "--callers" => options with { Callers = Number() },
                "--seconds" => options with { Round = TimeSpan.FromSeconds(Number()) },
                "--timeout-minutes" => options with { Timeout = TimeSpan.FromMinutes(Number()) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        return options.Stores.Any(s => s is not Sqlite and not Postgres) || options.Devices < 1 || options.Writes < 1 || options.Callers < 1
            ? throw new ArgumentException("--stores takes sqlite and/or postgres; --devices, --writes and --callers at least 1")
            : options;
    }
}
