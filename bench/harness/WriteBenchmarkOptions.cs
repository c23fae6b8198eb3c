using System.Globalization;

namespace Qbee.Authz.Harness;

/// <summary>
/// <c>--writes [--devices 1000,100000] [--writes N] [--users N] [--moves N] [--memory-writes N] [--timeout-minutes N] [--quick]</c>.
/// <c>--quick</c> sets the smaller defaults (1k and 20k devices, 50 writes, 250 users, 3 moves, 200 writes before the
/// Redis reading); options given after it still win.
/// </summary>
internal sealed record WriteBenchmarkOptions
{
    /// <summary>The account sizes of the single-write figures, ascending: the ratio is last over first.</summary>
    public int[] Devices { get; init; } = [1_000, 100_000];

    /// <summary>Measured single writes per account, after <see cref="WarmUp"/> ones that are not.</summary>
    public int Writes { get; init; } = 200;

    public int WarmUp { get; init; } = 20;

    /// <summary>Users put one at a time on the <see cref="UsersAccountDevices"/>-device account.</summary>
    public int Users { get; init; } = 1_000;

    public int UsersAccountDevices { get; init; } = 10_000;

    /// <summary>Moves of the largest account's first top-level group (there and back).</summary>
    public int Moves { get; init; } = 5;

    /// <summary>Writes on the largest account after its seeding (the measured ones included) before Redis is read.</summary>
    public int MemoryWrites { get; init; } = 1_000;

    /// <summary>The whole run stops (and fails) past this.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(120);

    public bool Quick { get; init; }

    public static WriteBenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var options = args.Contains("--quick")
            ? new WriteBenchmarkOptions { Devices = [1_000, 20_000], Writes = 50, WarmUp = 10, Users = 250, Moves = 3, MemoryWrites = 200, Timeout = TimeSpan.FromMinutes(30), Quick = true }
            : new WriteBenchmarkOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Number() => int.Parse(Value(), NumberStyles.None, CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--quick" => options,
                "--devices" => options with { Devices = [.. Value().Split(',').Select(d => int.Parse(d, NumberStyles.None, CultureInfo.InvariantCulture)).Order()] },
                "--writes" when i == 0 => options,
                "--writes" => options with { Writes = Number() },
                "--warm-up" => options with { WarmUp = Number() },
                "--users" => options with { Users = Number() },
                "--users-account-devices" => options with { UsersAccountDevices = Number() },
                "--moves" => options with { Moves = Number() },
                "--memory-writes" => options with { MemoryWrites = Number() },
                "--timeout-minutes" => options with { Timeout = TimeSpan.FromMinutes(Number()) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        return options.Devices.Length == 0 || options.Devices[0] < 1 || options.Writes < 1
            ? throw new ArgumentException("--devices needs at least one size > 0 and --writes at least 1")
            : options;
    }
}
