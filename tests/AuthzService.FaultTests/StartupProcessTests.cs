using System.Globalization;
using System.Text.RegularExpressions;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.FaultTests;

/// <summary>Start-up as production runs it (issue 18): what it logs about where its time went, and Redis ready with it.</summary>
public sealed partial class StartupProcessTests
{
    [Fact]
    public async Task Start_PreloadNoneWithRedis_LogsItsPhasesOnceAndServesWithRedisConnected()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var service = await ServiceProcess.StartAsync(new Dictionary<string, string>
        {
            ["Authz:Snapshots:Preload"] = "None",
            ["Authz:Redis:Configuration"] = redis.Configuration,
        });

        // Redis connects beside the store's migrations check, and is connected by SERVING.
        var status = await service.Admin.GetStatusAsync(new GetStatusRequest());
        Assert.Equal("ok", status.Redis.State);
        var started = StartedLine().Match(Assert.Single(service.LogLines, l => StartedLine().IsMatch(l)));
        double Ms(string phase) => double.Parse(started.Groups[phase].Value, CultureInfo.InvariantCulture);
        Assert.InRange(Ms("host") + Ms("store") + Ms("snapshots"), Ms("total") - 2, Ms("total") + 2); // each rounded to 1 ms
        Assert.True(Ms("host") > 0 && Ms("store") > 0, started.Value);
        Assert.True(long.Parse(started.Groups["jit"].Value, CultureInfo.InvariantCulture) > 0, started.Value);
    }

    [GeneratedRegex(@"Serving after start-up in (?<total>[\d.]+) ms \(host (?<host>[\d.]+) ms, store and Redis (?<store>[\d.]+) ms, snapshots (?<snapshots>[\d.]+) ms; (?<jit>\d+) methods JIT-compiled\)")]
    private static partial Regex StartedLine();
}
