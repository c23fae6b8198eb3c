using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.Service.UnitTests.Storage;
using Qbee.Authz.Service.UnitTests.Storage.Sqlite;
using Qbee.Authz.TestKit;

namespace Qbee.Authz.Service.UnitTests.Audit;

public sealed class AuditPurgerTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Device = Samples.DeviceId(1);

    private static AuditPurger Purger(IAuditStore store, TimeProvider time, int retentionDays = 30, int batchSize = 2) =>
        new(store, Options.Create(new AuditOptions { RetentionDays = retentionDays, BatchSize = batchSize, PurgeInterval = TimeSpan.FromHours(1) }),
            time, NullLogger<AuditPurger>.Instance);

    private static async Task<TempSqliteStore> WithEventsAgedAsync(params double[] ageDays)
    {
        var temp = await TempSqliteStore.CreateAsync();
        await temp.CreateAccountAsync("acme");
        await temp.Store.AppendAuditEventsAsync(
            ageDays.Select(d => Samples.Decision("acme", $"u{d}", Device, (Now - TimeSpan.FromDays(d)).ToUnixTimeMilliseconds())).ToList(),
            CancellationToken.None);
        return temp;
    }

    private static async Task<List<string>> UsersLeftAsync(TempSqliteStore temp) =>
        (await temp.Store.ListAuditEventsAsync(new AuditQuery("acme", 1000, null, "", Device, null), CancellationToken.None))
        .Select(e => e.UserId).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task PurgeAsync_DeletesOnlyEventsOlderThanTheRetention_InBatches()
    {
        await using var temp = await WithEventsAgedAsync(400, 45, 31, 30.5, 29, 1);

        var deleted = await Purger(temp.Store, new FakeTimeProvider(Now)).PurgeAsync(CancellationToken.None);

        // The four old decisions and the account's creation event (stamped in 2023 by the test store).
        Assert.Equal(5, deleted);
        Assert.Equal(["u1", "u29"], await UsersLeftAsync(temp));
    }

    [Fact]
    public async Task Background_PurgesAtStartAndAgainEachInterval_AsTimeMoves()
    {
        await using var temp = await WithEventsAgedAsync(31, 29.99);
        var time = new FakeTimeProvider(Now);
        var purger = Purger(temp.Store, time);

        await purger.StartAsync(CancellationToken.None);
        await Eventually.HoldsAsync(async () => (await UsersLeftAsync(temp)).Count == 1);
        Assert.Equal(["u29.99"], await UsersLeftAsync(temp));

        time.Advance(TimeSpan.FromHours(1));
        await Eventually.HoldsAsync(async () => (await UsersLeftAsync(temp)).Count == 0);
        await purger.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Background_RetentionZero_KeepsEverything()
    {
        await using var temp = await WithEventsAgedAsync(4000);
        var time = new FakeTimeProvider(Now);
        var purger = Purger(temp.Store, time, retentionDays: 0);

        await purger.StartAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromDays(2));
        await purger.StopAsync(CancellationToken.None);

        Assert.Single(await UsersLeftAsync(temp));
    }
}
