using Qbee.Authz.Service.Snapshots;

namespace Qbee.Authz.Service.UnitTests.Snapshots;

public sealed class SnapshotOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_SucceedsPreloadingAllWithoutBudget()
    {
        var options = new SnapshotOptions();

        Assert.True(new SnapshotOptionsValidator().Validate(null, options).Succeeded);
        Assert.True(options.PreloadsAll);
        Assert.Equal(long.MaxValue, options.EffectiveBudget);
        Assert.Empty(options.PinnedAccounts);
    }

    [Fact]
    public void Validate_None_SucceedsWithTheOnDemandDefaultBudget()
    {
        var options = new SnapshotOptions { Preload = "none" };

        Assert.True(new SnapshotOptionsValidator().Validate(null, options).Succeeded);
        Assert.False(options.PreloadsAll);
        Assert.Equal(SnapshotOptions.DefaultOnDemandBudget, options.EffectiveBudget);
        Assert.Empty(options.PinnedAccounts);
    }

    [Fact]
    public void Validate_AccountList_PinsEachOnce()
    {
        var options = new SnapshotOptions { Preload = "acme, globex,acme", MemoryBudget = 1000 };

        Assert.True(new SnapshotOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(["acme", "globex"], options.PinnedAccounts);
        Assert.Equal(1000, options.EffectiveBudget);
    }

    [Fact]
    public void Validate_InvalidAccountId_FailsNamingTheField()
    {
        var result = new SnapshotOptionsValidator().Validate(null, new SnapshotOptions { Preload = "acme,not an id" });

        Assert.True(result.Failed);
        Assert.Contains("Authz:Snapshots:Preload", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("not an id", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NegativeBudget_FailsNamingTheField()
    {
        var result = new SnapshotOptionsValidator().Validate(null, new SnapshotOptions { Preload = "None", MemoryBudget = -1 });

        Assert.True(result.Failed);
        Assert.Contains("Authz:Snapshots:MemoryBudget", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BudgetWithPreloadAll_FailsNamingBothSettings()
    {
        var result = new SnapshotOptionsValidator().Validate(null, new SnapshotOptions { Preload = "All", MemoryBudget = 268435456 });

        Assert.True(result.Failed);
        Assert.Contains("Authz:Snapshots:MemoryBudget", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Preload is All", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void AlwaysHolds_PinnedAccountsOnDemand_EveryAccountWithAll()
    {
        var pinned = new SnapshotOptions { Preload = "acme, globex" };
        var all = new SnapshotOptions();
        var none = new SnapshotOptions { Preload = "None" };

        Assert.True(pinned.OnDemand);
        Assert.True(pinned.AlwaysHolds("acme"));
        Assert.True(pinned.AlwaysHolds("globex"));
        Assert.False(pinned.AlwaysHolds("initech"));
        Assert.False(all.OnDemand);
        Assert.True(all.AlwaysHolds("initech"));
        Assert.True(none.OnDemand);
        Assert.False(none.AlwaysHolds("acme"));
    }
}
