using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.Service.UnitTests.Storage.Sqlite;
using Qbee.Authz.TestKit;

namespace Qbee.Authz.Service.UnitTests.Storage;

public sealed class ChangeLogPurgerTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static ChangeLogPurger Purger(IAuthzStore store, TimeProvider time, int keepRevisions, int batchSize = 2) =>
        new(store, Options.Create(new ChangeLogOptions
        {
            Retention = TimeSpan.FromDays(7),
            KeepRevisions = keepRevisions,
            BatchSize = batchSize,
            PurgeInterval = TimeSpan.FromMinutes(10),
        }), time, NullLogger<ChangeLogPurger>.Instance);

    /// <summary>An account whose revisions 1..(ages.Length + 1) were committed the given days before <see cref="Now"/> (creation 30 days ago).</summary>
    private static async Task<TempSqliteStore> WithWritesAgedAsync(params double[] ageDays)
    {
        var time = new FakeTimeProvider(Now - TimeSpan.FromDays(30));
        var temp = await TempSqliteStore.CreateAsync();
        var store = new SqlAuthzStore(temp.Connections, temp.Dialect, time);
        await store.CreateAccountAsync(
            Samples.Account("acme"), Samples.DefaultRole("acme"), Samples.User("acme", "owner"), Samples.Audit("admin.CreateAccount"), Ct);
        for (var i = 0; i < ageDays.Length; i++)
        {
            time.SetUtcNow(Now - TimeSpan.FromDays(ageDays[i]));
            await store.PutNodeAsync(Samples.Group("acme", $"g{i}"), Samples.Audit("admin.PutNode"), Ct);
        }

        return temp;
    }

    private static async Task<long> FirstRevisionLeftAsync(TempSqliteStore temp) =>
        await temp.CountAsync("SELECT MIN(revision) FROM change_log");

    [Fact]
    public async Task PurgeAsync_ChangeSetsPastTheRetention_DeletesThemInBatches()
    {
        // Revisions 1..4 are older than 7 days; 5 and 6 are not.
        await using var temp = await WithWritesAgedAsync(20, 10, 8, 6, 1);

        var deleted = await Purger(temp.Store, new FakeTimeProvider(Now), keepRevisions: 1).PurgeAsync(Ct);

        Assert.Equal(4, deleted);
        Assert.Equal(5, await FirstRevisionLeftAsync(temp));
        Assert.False((await temp.Store.ReadChangeSetsAsync("acme", 3, 10, Ct))!.Covered);
    }

    [Fact]
    public async Task PurgeAsync_OldButAmongTheNewestKept_KeepsThem()
    {
        await using var temp = await WithWritesAgedAsync(20, 10, 9, 8);

        var deleted = await Purger(temp.Store, new FakeTimeProvider(Now), keepRevisions: 3).PurgeAsync(Ct);

        // Five revisions, all past the retention: the newest three stay.
        Assert.Equal(2, deleted);
        Assert.Equal(3, await FirstRevisionLeftAsync(temp));
    }

    [Fact]
    public async Task Background_PurgesAtStartAndAgainEachInterval_AsTimeMoves()
    {
        await using var temp = await WithWritesAgedAsync(8, 6.999);
        var time = new FakeTimeProvider(Now);
        var purger = Purger(temp.Store, time, keepRevisions: 0);

        await purger.StartAsync(Ct);
        await Eventually.HoldsAsync(async () => await FirstRevisionLeftAsync(temp) == 3);

        time.Advance(TimeSpan.FromMinutes(10));
        await Eventually.HoldsAsync(async () => await temp.CountAsync("SELECT COUNT(*) FROM change_log") == 0);
        await purger.StopAsync(Ct);
    }
}
