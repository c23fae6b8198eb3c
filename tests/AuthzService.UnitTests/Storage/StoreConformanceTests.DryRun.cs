using System.Text.Json;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Changes;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.UnitTests.Storage;

/// <summary>
/// Dry runs (<see cref="IAuthzStore.DryRun"/>): the write's transaction run and rolled back. Every row stays as it
/// was (no revision, no change-log row, no audit event), the answer is the current revision, the change set handed
/// back is the one the real write then appends, and a refusal is the real write's.
/// </summary>
public abstract partial class StoreConformanceTests
{
    [StoreFact]
    public async Task DryRun_EveryWriteKind_ChangesNoRow_AndHandsBackTheChangeSetTheRealWriteAppends()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        var store = temp.Store;
        var d1 = Samples.DeviceId(1);
        Func<IAuthzStore, Task>[] writes =
        [
            s => s.PutNodeAsync(Samples.Group("acme", "g1", "", "site"), DryRunAudit(), Ct),
            s => s.PutNodesAsync("acme", [Samples.Device("acme", d1, "g1", "lab"), Samples.Group("acme", "g2", "g1")], DryRunAudit(), Ct),
            s => s.PutRoleAsync(Samples.Role("acme", "ops", "Ops", new PolicyRecord("device:read", ["tag:lab"])), DryRunAudit(), Ct),
            s => s.PutUserAsync(Samples.User("acme", "u1", null, "ops"), DryRunAudit(), Ct),
            s => s.PutUsersAsync("acme", [Samples.User("acme", "u2"), Samples.User("acme", "u1", "new@example.com")], DryRunAudit(), Ct),
            s => s.SetRemoteAccessAsync("acme", RemoteAccessTarget.Node, "g1", true, DryRunAudit(), Ct),
            s => s.SetRemoteAccessAsync("acme", RemoteAccessTarget.Tag, "lab", false, DryRunAudit(), Ct),
            s => s.DeleteUserAsync("acme", "u2", DryRunAudit(), Ct),
            s => s.DeleteRoleAsync("acme", "ops", DryRunAudit(), Ct),
            s => s.DeleteNodeAsync("acme", "g2", DryRunAudit(), Ct),
        ];

        foreach (var write in writes)
        {
            var rows = (await store.LoadAccountAsync("acme", Ct))!;
            var dump = await temp.DumpAsync();
            var dryRun = new StoreDryRun();

            await write(store.DryRun(dryRun));

            Assert.Equal(dump, await temp.DumpAsync());
            Assert.Equal(rows.Account.Version, dryRun.ChangeSet.Previous);
            Assert.Equal(rows.Account.Revision, dryRun.CurrentRevision);
            await write(store);
            var real = Assert.Single((await store.ReadChangeSetsAsync("acme", rows.Account.Revision, 10, Ct))!.ChangeSets);
            Assert.Equal(real.Previous, dryRun.ChangeSet.Previous);
            Assert.Equal(RowsText(ChangeSetApplier.Apply(rows, real)), RowsText(ChangeSetApplier.Apply(rows, dryRun.ChangeSet)));
        }
    }

    [StoreFact]
    public async Task DryRun_RefusedWrite_RefusedAsTheRealWrite_AndChangesNoRow()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        await temp.CreateAccountAsync("other", "stranger");
        var store = temp.Store;
        await store.PutNodesAsync("acme", [Samples.Group("acme", "g1"), Samples.Group("acme", "g2", "g1")], DryRunAudit(), Ct);
        Func<IAuthzStore, Task>[] refused =
        [
            s => s.PutUserAsync(Samples.User("acme", "u9", null, "nope"), DryRunAudit(), Ct),
            s => s.PutUserAsync(Samples.User("acme", "stranger"), DryRunAudit(), Ct),
            s => s.PutNodeAsync(Samples.Group("acme", "g1", "g2"), DryRunAudit(), Ct),
            s => s.DeleteNodeAsync("acme", "g1", DryRunAudit(), Ct),
            s => s.DeleteRoleAsync("acme", Ids.DefaultRoleId, DryRunAudit(), Ct),
            s => s.PutRoleAsync(Samples.Role("acme", "x", "missing account") with { AccountId = "nowhere" }, DryRunAudit(), Ct),
            s => s.CreateAccountAsync(Samples.Account("acme"), Samples.DefaultRole("acme"), Samples.User("acme", "new"), DryRunAudit(), Ct),
        ];

        foreach (var write in refused)
        {
            var dump = await temp.DumpAsync();
            var dry = await Assert.ThrowsAnyAsync<DomainException>(() => write(store.DryRun(new StoreDryRun())));
            Assert.Equal(dump, await temp.DumpAsync());
            var real = await Assert.ThrowsAnyAsync<DomainException>(() => write(store));
            Assert.Equal((real.GetType(), real.Message), (dry.GetType(), dry.Message));
        }
    }

    [StoreFact]
    public async Task DryRun_CreateAccount_CreatesNothing_AndHandsBackTheFirstChangeSet()
    {
        await using var temp = await CreateStoreAsync();
        var dump = await temp.DumpAsync();
        var dryRun = new StoreDryRun();

        var revision = await temp.Store.DryRun(dryRun).CreateAccountAsync(
            Samples.Account("acme"), Samples.DefaultRole("acme"), Samples.User("acme", "owner", null, Ids.DefaultRoleId), DryRunAudit(), Ct);

        Assert.Equal(0, revision);
        Assert.Equal(dump, await temp.DumpAsync());
        Assert.Null(await temp.Store.GetAccountAsync("acme", Ct));
        Assert.Equal((0L, 0L, 1L), (dryRun.CurrentRevision, dryRun.ChangeSet.PreviousStamp, dryRun.ChangeSet.Revision));
        var rows = ChangeSetApplier.Apply(null, dryRun.ChangeSet);
        Assert.Equal(["owner"], rows.Users.Select(u => u.UserId));
    }

    private static AuditRecord DryRunAudit() => Samples.Audit("admin.Write");

    // The rows only: a dry run's version carries a stamp of its own.
    private static string RowsText(AccountData data) =>
        JsonSerializer.Serialize(new
        {
            data.Account.Name,
            Roles = data.Roles.OrderBy(r => r.RoleId, StringComparer.Ordinal),
            Users = data.Users.OrderBy(u => u.UserId, StringComparer.Ordinal),
            Nodes = data.Nodes.OrderBy(n => n.NodeId, StringComparer.Ordinal),
            Settings = data.RemoteAccessSettings.OrderBy(s => s.TargetKind).ThenBy(s => s.Target, StringComparer.Ordinal),
        });
}
