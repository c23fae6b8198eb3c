using System.Text.Json;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Changes;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.UnitTests.Storage;

/// <summary>
/// The change log: every write leaves exactly one change set, and that change set applied to the rows before the
/// write gives the rows after it (<see cref="ChangeSetApplier"/>), for every kind of write; a refused write leaves
/// none.
/// </summary>
public abstract partial class StoreConformanceTests
{
    private const string CountChangeLog = "SELECT COUNT(*) FROM change_log";

    [StoreFact]
    public async Task ChangeLog_ScriptedWritesOfEveryKind_EachChangeSetAppliedToThePreviousRowsGivesTheNextRows()
    {
        await using var temp = await CreateStoreAsync();
        var chain = await ChangeChain.StartAsync(temp);
        var store = temp.Store;
        var d1 = Samples.DeviceId(1);
        var d2 = Samples.DeviceId(2);
        var d3 = Samples.DeviceId(3);

        await chain.StepAsync(() => store.PutNodeAsync(Samples.Group("acme", "g1", "", "site"), Audit(), Ct));
        await chain.StepAsync(() => store.PutNodeAsync(Samples.Group("acme", "g2", "g1"), Audit(), Ct));
        await chain.StepAsync(() => store.PutNodesAsync("acme",
            [Samples.Device("acme", d1, "g2", "lab", "edge"), Samples.Device("acme", d2, "missing-parent"), Samples.Group("acme", "g3", "g1")],
            Audit(), Ct));
        await chain.StepAsync(() => store.PutNodeAsync(Samples.Group("acme", "g2", "g3"), Audit(), Ct)); // a move with a device below
        await chain.StepAsync(() => store.PutNodeAsync(Samples.Device("acme", d1, "g2", "edge") with { AgentRemoteAccessDisabled = true }, Audit(), Ct));
        await chain.StepAsync(() => store.PutRoleAsync(Samples.Role("acme", "ops", "Ops", new PolicyRecord("device:read", ["tag:lab"])), Audit(), Ct));
        await chain.StepAsync(() => store.PutRoleAsync(Samples.Role("acme", "ops", "Operators", new PolicyRecord("device:manage", [])), Audit(), Ct));
        await chain.StepAsync(() => store.PutRoleAsync(Samples.Role("acme", "temp", "Temp"), Audit(), Ct));
        await chain.StepAsync(() => store.PutUserAsync(Samples.User("acme", "u1", null, "ops", Ids.DefaultRoleId), Audit(), Ct));
        await chain.StepAsync(() => store.PutUserAsync(Samples.User("acme", "u1", null, "ops") with { Status = UserState.Disabled }, Audit(), Ct));
        await chain.StepAsync(() => store.PutUsersAsync("acme",
            [Samples.User("acme", "u2", null, "temp"), Samples.User("acme", "u3"), Samples.User("acme", "u1", "new@example.com", "ops")], Audit(), Ct));
        await chain.StepAsync(() => store.PutUserAsync(Samples.User("acme", "u2"), Audit(), Ct));
        await chain.StepAsync(() => store.DeleteRoleAsync("acme", "temp", Audit(), Ct));
        await chain.StepAsync(() => store.DeleteUserAsync("acme", "u3", Audit(), Ct));
        await chain.StepAsync(() => store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Node, Ids.Root, true, Audit(), Ct));
        await chain.StepAsync(() => store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Node, "g3", false, Audit(), Ct));
        await chain.StepAsync(() => store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Node, d1, true, Audit(), Ct));
        await chain.StepAsync(() => store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Tag, "lab", true, Audit(), Ct));
        await chain.StepAsync(() => store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Tag, "lab", false, Audit(), Ct));
        await chain.StepAsync(() => store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Tag, "lab", null, Audit(), Ct));
        await chain.StepAsync(() => store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Tag, "never-set", null, Audit(), Ct));
        await chain.StepAsync(() => store.DeleteNodeAsync("acme", d1, Audit(), Ct)); // had a setting
        await chain.StepAsync(() => store.DeleteNodeAsync("acme", d2, Audit(), Ct)); // had none
        await chain.StepAsync(() => store.PutNodeAsync(Samples.Device("acme", d3, "g3", "lab"), Audit(), Ct));

        await chain.RefusedAsync(() => store.DeleteNodeAsync("acme", "g3", Audit(), Ct)); // not empty
        await chain.RefusedAsync(() => store.DeleteRoleAsync("acme", "ops", Audit(), Ct)); // held by u1
        await chain.RefusedAsync(() => store.PutUserAsync(Samples.User("acme", "u9", null, "nope"), Audit(), Ct));
        await chain.RefusedAsync(() => store.PutRoleAsync(Samples.Role("acme", "ops2", "Operators"), Audit(), Ct));
        await chain.RefusedAsync(() => store.PutUsersAsync("acme", [Samples.User("acme", "u8"), Samples.User("acme", "u9", "owner@acme.example")], Audit(), Ct));
        await chain.RefusedAsync(() => store.PutNodesAsync("acme", [Samples.Device("acme", d1), Samples.Group("acme", "g1", "g2")], Audit(), Ct));

        Assert.Equal(25, chain.Revision);
        await chain.AssertWholeLogAsync();
    }

    [StoreFact]
    public async Task ChangeLog_RandomWrites_EachChangeSetAppliedToThePreviousRowsGivesTheNextRows()
    {
        await using var temp = await CreateStoreAsync();
        var chain = await ChangeChain.StartAsync(temp);
        var random = new Random(16);
        var writes = 0;
        var refused = 0;
        for (var i = 0; i < 150; i++)
        {
            var write = RandomWrite(temp.Store, random);
            if (await chain.StepOrRefusalAsync(write))
            {
                writes++;
            }
            else
            {
                refused++;
            }
        }

        // Guards the generator: both kinds of outcome happen often.
        Assert.True(writes > 60 && refused > 10, $"{writes} writes, {refused} refused");
        await chain.AssertWholeLogAsync();
    }

    [StoreFact]
    public async Task ReadChangeSetsAsync_MissingAccount_ReturnsNull()
    {
        await using var temp = await CreateStoreAsync();

        Assert.Null(await temp.Store.ReadChangeSetsAsync("nope", 0, 10, Ct));
    }

    [StoreFact]
    public async Task ReadChangeSetsAsync_AfterARevision_ReturnsAtMostMaxInRevisionOrder()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        for (var i = 0; i < 4; i++)
        {
            await temp.Store.PutNodeAsync(Samples.Group("acme", $"g{i}"), Audit(), Ct);
        }

        var page = (await temp.Store.ReadChangeSetsAsync("acme", 1, 2, Ct))!;
        var rest = (await temp.Store.ReadChangeSetsAsync("acme", 3, 10, Ct))!;
        var upToDate = (await temp.Store.ReadChangeSetsAsync("acme", 5, 10, Ct))!;

        Assert.Equal((true, 5L), (page.Covered, page.AccountRevision));
        Assert.Equal([2L, 3L], page.ChangeSets.Select(c => c.Revision));
        Assert.True(rest.Covered);
        Assert.Equal([4L, 5L], rest.ChangeSets.Select(c => c.Revision));
        Assert.Equal((0, true), (upToDate.ChangeSets.Count, upToDate.Covered));
    }

    [StoreFact]
    public async Task ReadChangeSetsAsync_FirstRevisionAskedIsGone_IsNotCovered()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        await temp.Store.PutNodeAsync(Samples.Group("acme", "g1"), Audit(), Ct);
        await temp.Store.PutNodeAsync(Samples.Group("acme", "g2"), Audit(), Ct);

        // As a store written before the log existed, or purged past revision 2.
        await temp.CountAsync("DELETE FROM change_log WHERE revision <= 2; SELECT 0");
        var gone = (await temp.Store.ReadChangeSetsAsync("acme", 1, 10, Ct))!;
        var kept = (await temp.Store.ReadChangeSetsAsync("acme", 2, 10, Ct))!;

        Assert.Equal((0, false, 3L), (gone.ChangeSets.Count, gone.Covered, gone.AccountRevision));
        Assert.Equal((3L, true), (Assert.Single(kept.ChangeSets).Revision, kept.Covered));
    }

    [StoreFact]
    public async Task ReadChangeSetsAsync_ARowThisVersionCannotRead_EndsThePageBeforeIt()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        await temp.Store.PutNodeAsync(Samples.Group("acme", "g1"), Audit(), Ct);
        await temp.Store.PutNodeAsync(Samples.Group("acme", "g2"), Audit(), Ct);

        // As a row of a newer layout mid-upgrade, or a damaged one: the reader must fall back, not fail.
        await temp.CountAsync("UPDATE change_log SET changes = @Bytes WHERE revision = 3; SELECT 0", new { Bytes = new byte[] { 1, 2, 3 } });
        var before = (await temp.Store.ReadChangeSetsAsync("acme", 1, 10, Ct))!;
        var at = (await temp.Store.ReadChangeSetsAsync("acme", 2, 10, Ct))!;

        Assert.Equal([2L], before.ChangeSets.Select(c => c.Revision));
        Assert.Equal((true, 3L), (before.Covered, before.AccountRevision));
        Assert.Equal((0, false), (at.ChangeSets.Count, at.Covered));
    }

    [StoreFact]
    public async Task DeleteNodeAsync_NodeWithOrWithoutSetting_ClearsTheSettingInTheChangeSetOnlyWhenItHadOne()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        await temp.Store.PutNodesAsync("acme", [Samples.Group("acme", "g1"), Samples.Group("acme", "g2")], Audit(), Ct);
        await temp.Store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Node, "g1", true, Audit(), Ct);

        var withSetting = await temp.Store.DeleteNodeAsync("acme", "g1", Audit(), Ct);
        var without = await temp.Store.DeleteNodeAsync("acme", "g2", Audit(), Ct);

        var log = (await temp.Store.ReadChangeSetsAsync("acme", withSetting - 1, 10, Ct))!.ChangeSets;
        Assert.Equal<Change>([new RemoteAccessChanged(RemoteAccessTarget.Node, "g1", null, 0), new NodeDeleted("g1")], log[0].Changes);
        Assert.Equal<Change>([new NodeDeleted("g2")], log[1].Changes);
        Assert.Equal(without, log[1].Revision);
    }

    [StoreFact]
    public async Task SetRemoteAccessAsync_Enabled_ChangeSetCarriesTheNewRevision()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");

        var revision = await temp.Store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Tag, "lab", true, Audit(), Ct);

        var changeSet = Assert.Single((await temp.Store.ReadChangeSetsAsync("acme", revision - 1, 10, Ct))!.ChangeSets);
        Assert.Equal<Change>([new RemoteAccessChanged(RemoteAccessTarget.Tag, "lab", true, revision)], changeSet.Changes);
    }

    [StoreFact]
    public async Task CreateAccountAsync_ChangeSet_IsRevisionOneWithTheAccountItsReservedNodesRoleAndOwner()
    {
        await using var temp = await CreateStoreAsync();
        var data = await temp.CreateAccountAsync("acme");

        var changeSet = Assert.Single((await temp.Store.ReadChangeSetsAsync("acme", 0, 10, Ct))!.ChangeSets);

        Assert.Equal((data.Account.Version, 0L), (changeSet.Version, changeSet.PreviousStamp));
        Assert.Equal(
            ["AccountPut", "NodePut:root", "NodePut:unassigned_group", "RolePut:default", "UserPut:owner"],
            changeSet.Changes.Select(c => c switch
            {
                NodePut n => $"NodePut:{n.Node.NodeId}",
                RolePut r => $"RolePut:{r.Role.RoleId}",
                UserPut u => $"UserPut:{u.User.UserId}",
                _ => c.GetType().Name,
            }));
    }

    [StoreFact]
    public async Task PurgeChangeLogAsync_RowsBeforeTheCutoff_DeletesAllButTheNewestKeptRevisionsInBoundedBatches()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        await temp.CreateAccountAsync("beta", "beta-owner");
        for (var i = 0; i < 5; i++)
        {
            await temp.Store.PutNodeAsync(Samples.Group("acme", $"g{i}"), Audit(), Ct);
        }

        var future = DateTimeOffset.UtcNow.AddDays(1);

        Assert.Equal(0, await temp.Store.PurgeChangeLogAsync(DateTimeOffset.UtcNow.AddDays(-1), 0, 100, Ct));
        Assert.Equal(2, await temp.Store.PurgeChangeLogAsync(future, 2, 2, Ct));
        Assert.Equal(2, await temp.Store.PurgeChangeLogAsync(future, 2, 100, Ct));
        Assert.Equal(0, await temp.Store.PurgeChangeLogAsync(future, 2, 100, Ct));

        // acme keeps revisions 5 and 6; beta (revision 1) keeps its only one.
        Assert.Equal(3, await temp.CountAsync(CountChangeLog));
        var acme = (await temp.Store.ReadChangeSetsAsync("acme", 4, 10, Ct))!;
        Assert.True(acme.Covered);
        Assert.Equal([5L, 6L], acme.ChangeSets.Select(c => c.Revision));
        Assert.False((await temp.Store.ReadChangeSetsAsync("acme", 3, 10, Ct))!.Covered);
        Assert.Single((await temp.Store.ReadChangeSetsAsync("beta", 0, 10, Ct))!.ChangeSets);
    }

    private static AuditRecord Audit() => Samples.Audit("admin.Write");

    /// <summary>One write of a random kind over a small id space, so writes meet existing rows and are often refused.</summary>
    private static Func<Task> RandomWrite(IAuthzStore store, Random random)
    {
        string Pick(params string[] items) => items[random.Next(items.Length)];
        string Group() => Pick(Ids.Root, Ids.UnassignedGroup, "g1", "g2", "g3", "g4");
        string MovableGroup() => Pick("g1", "g2", "g3", "g4");
        string Device() => Samples.DeviceId(random.Next(1, 7));
        string Role() => Pick(Ids.DefaultRoleId, "r1", "r2", "r3");
        string[] Tags() => Enumerable.Range(0, random.Next(3)).Select(_ => Pick("lab", "edge", "prod")).Distinct().ToArray();
        NodeRecord GroupNode() => Samples.Group("acme", MovableGroup(), Pick("", Group()), Tags());
        NodeRecord DeviceNode() =>
            Samples.Device("acme", Device(), Pick(Group(), "missing"), Tags()) with { AgentRemoteAccessDisabled = random.Next(4) == 0 };
        NodeRecord AnyNode() => random.Next(3) == 0 ? GroupNode() : DeviceNode();
        UserRecord User() =>
            Samples.User("acme", Pick("u1", "u2", "u3", "u4"), null, Enumerable.Range(0, random.Next(3)).Select(_ => Role()).Distinct().ToArray())
                with { Status = random.Next(3) == 0 ? UserState.Disabled : UserState.Active };
        var audit = Audit();

        return random.Next(13) switch
        {
            0 or 1 => () => store.PutNodeAsync(GroupNode(), audit, Ct),
            2 or 3 => () => store.PutNodeAsync(DeviceNode(), audit, Ct),
            4 => () => store.PutNodesAsync("acme", Enumerable.Range(0, random.Next(1, 6)).Select(_ => AnyNode()).DistinctBy(n => n.NodeId).ToList(), audit, Ct),
            5 => () => store.DeleteNodeAsync("acme", random.Next(2) == 0 ? MovableGroup() : Device(), audit, Ct),
            6 => () => store.PutRoleAsync(
                Samples.Role("acme", Pick("r1", "r2", "r3"), Pick("A", "B", "C", "D"), new PolicyRecord(Pick("device:read", "device:manage"), Tags())), audit, Ct),
            7 => () => store.DeleteRoleAsync("acme", Pick("r1", "r2", "r3"), audit, Ct),
            8 => () => store.PutUserAsync(User(), audit, Ct),
            9 => () => store.PutUsersAsync("acme", Enumerable.Range(0, random.Next(1, 4)).Select(_ => User()).DistinctBy(u => u.UserId).ToList(), audit, Ct),
            10 => () => store.DeleteUserAsync("acme", Pick("u1", "u2", "u3", "u4"), audit, Ct),
            _ => random.Next(2) == 0
                ? () => store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Node, random.Next(2) == 0 ? Group() : Device(), PickOf<bool?>(random, true, false, null), audit, Ct)
                : () => store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Tag, Pick("lab", "edge", "prod"), PickOf<bool?>(random, true, false, null), audit, Ct),
        };
    }

    private static T PickOf<T>(Random random, params T[] items) => items[random.Next(items.Length)];

    /// <summary>
    /// An account's rows after each write, checked against the change set the write logged: the applier brings the
    /// rows before forward to exactly the rows after (compared as sets keyed by id), and the stamps chain.
    /// </summary>
    private sealed class ChangeChain(StoreHarness temp, AccountData created)
    {
        private AccountData _rows = created;

        public long Revision => _rows.Account.Revision;

        public static async Task<ChangeChain> StartAsync(StoreHarness temp)
        {
            var created = await temp.CreateAccountAsync("acme");
            var changeSet = Assert.Single((await temp.Store.ReadChangeSetsAsync("acme", 0, 10, Ct))!.ChangeSets);
            Assert.Equal(0, changeSet.PreviousStamp);
            Assert.Equal(Normalized(created), Normalized(ChangeSetApplier.Apply(null, changeSet)));
            return new ChangeChain(temp, created);
        }

        public async Task StepAsync(Func<Task> write)
        {
            Assert.True(await StepOrRefusalAsync(write), "the write was refused");
        }

        public async Task RefusedAsync(Func<Task> write)
        {
            Assert.False(await StepOrRefusalAsync(write), "the write was not refused");
        }

        /// <summary>False when the store refused the write, after checking that it left no revision and no log row.</summary>
        public async Task<bool> StepOrRefusalAsync(Func<Task> write)
        {
            var logRows = await temp.CountAsync(CountChangeLog);
            try
            {
                await write();
            }
            catch (DomainException)
            {
                Assert.Equal(_rows.Account.Version, (await temp.Store.GetAccountAsync("acme", Ct))!.Version);
                Assert.Equal(logRows, await temp.CountAsync(CountChangeLog));
                return false;
            }

            var after = (await temp.Store.LoadAccountAsync("acme", Ct))!;
            Assert.Equal(_rows.Account.Revision + 1, after.Account.Revision);
            Assert.Equal(logRows + 1, await temp.CountAsync(CountChangeLog));
            var changeSet = Assert.Single((await temp.Store.ReadChangeSetsAsync("acme", _rows.Account.Revision, 10, Ct))!.ChangeSets);
            Assert.Equal((after.Account.Version, _rows.Account.Stamp), (changeSet.Version, changeSet.PreviousStamp));
            Assert.Equal(Normalized(after), Normalized(ChangeSetApplier.Apply(_rows, changeSet)));
            _rows = after;
            return true;
        }

        /// <summary>The whole log read in small pages: one gapless chain of stamps that rebuilds the rows from nothing.</summary>
        public async Task AssertWholeLogAsync()
        {
            AccountData? rows = null;
            var after = 0L;
            while (true)
            {
                var page = (await temp.Store.ReadChangeSetsAsync("acme", after, 7, Ct))!;
                Assert.True(page.Covered);
                if (page.ChangeSets.Count == 0)
                {
                    break;
                }

                foreach (var changeSet in page.ChangeSets)
                {
                    Assert.Equal(rows?.Account.Stamp ?? 0, changeSet.PreviousStamp);
                    rows = ChangeSetApplier.Apply(rows, changeSet);
                    after = changeSet.Revision;
                }
            }

            Assert.Equal(Normalized(_rows), Normalized(rows!));
        }

        /// <summary>Rows as sets keyed by id; lists inside a row (tags, a user's roles, policies) keep their order.</summary>
        public static string Normalized(AccountData data) =>
            JsonSerializer.Serialize(new
            {
                data.Account,
                Roles = data.Roles.OrderBy(r => r.RoleId, StringComparer.Ordinal),
                Users = data.Users.OrderBy(u => u.UserId, StringComparer.Ordinal),
                Nodes = data.Nodes.OrderBy(n => n.NodeId, StringComparer.Ordinal),
                Settings = data.RemoteAccessSettings.OrderBy(s => s.TargetKind).ThenBy(s => s.Target, StringComparer.Ordinal),
            });
    }
}
