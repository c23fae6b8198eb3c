using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.UnitTests.Storage;

public abstract partial class StoreConformanceTests
{
    [StoreFact]
    public async Task CreateAccountAsync_NewAccount_CreatesTreeDefaultRoleAndOwnerAtRevisionOne()
    {
        await using var temp = await CreateStoreAsync();

        var revision = await temp.Store.CreateAccountAsync(
            Samples.Account("acme"), Samples.DefaultRole("acme"), Samples.User("acme", "owner", "Owner@Acme.example", Ids.DefaultRoleId),
            Samples.Audit("admin.CreateAccount"), Ct);

        Assert.Equal(1, revision);
        var data = await temp.Store.LoadAccountAsync("acme", Ct);
        Assert.NotNull(data);
        Assert.Equal(new AccountRecord("acme", "acme Inc.", 1), data.Account with { Stamp = 0 });
        Assert.NotEqual(0, data.Account.Stamp);
        Assert.Collection(
            data.Nodes.OrderBy(n => n.NodeId, StringComparer.Ordinal),
            root =>
            {
                Assert.Equal((Ids.Root, NodeKind.Group, ""), (root.NodeId, root.Kind, root.ParentId));
            },
            unassigned =>
            {
                Assert.Equal((Ids.UnassignedGroup, NodeKind.Group, Ids.Root), (unassigned.NodeId, unassigned.Kind, unassigned.ParentId));
            });
        var role = Assert.Single(data.Roles);
        Assert.Equal(Ids.DefaultRoleId, role.RoleId);
        var owner = Assert.Single(data.Users);
        Assert.Equal(("owner", "Owner@Acme.example", UserState.Active), (owner.UserId, owner.Email, owner.Status));
        Assert.Equal([Ids.DefaultRoleId], owner.RoleIds);
        Assert.Empty(data.RemoteAccessSettings);
    }

    [StoreFact]
    public async Task CreateAccountAsync_OwnerWithoutRoles_GetsTheDefaultRole()
    {
        await using var temp = await CreateStoreAsync();

        await temp.Store.CreateAccountAsync(
            Samples.Account("acme"), Samples.DefaultRole("acme"), Samples.User("", "owner"), Samples.Audit("admin.CreateAccount"), Ct);

        var owner = Assert.Single((await temp.Store.LoadAccountAsync("acme", Ct))!.Users);
        Assert.Equal("acme", owner.AccountId);
        Assert.Equal([Ids.DefaultRoleId], owner.RoleIds);
    }

    [StoreFact]
    public async Task CreateAccountAsync_WritesAuditEventWithRevisionOne()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");

        var audit = Assert.Single(await temp.Store.ListAuditEventsAsync(new AuditQuery("acme", 10, null, "", "", null), Ct));

        Assert.Equal(("admin.CreateAccount", "acme", 1L), (audit.Kind, audit.AccountId, audit.Revision));
        Assert.True(audit.EventId > 0);
    }

    [StoreFact]
    public async Task CreateAccountAsync_ExistingAccount_ThrowsAlreadyExistsAndChangesNothing()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");

        await temp.AssertRefusedAsync<AlreadyExistsException>(() => temp.Store.CreateAccountAsync(
            Samples.Account("acme"), Samples.DefaultRole("acme"), Samples.User("acme", "other"), Samples.Audit("admin.CreateAccount"), Ct));
    }

    [StoreFact]
    public async Task CreateAccountAsync_OwnerIdTakenInAnotherAccount_ThrowsAlreadyExistsAndChangesNothing()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme", "owner");

        await temp.AssertRefusedAsync<AlreadyExistsException>(() => temp.Store.CreateAccountAsync(
            Samples.Account("globex"), Samples.DefaultRole("globex"), Samples.User("globex", "owner", "new@globex.example"),
            Samples.Audit("admin.CreateAccount"), Ct));
        Assert.Null(await temp.Store.GetAccountAsync("globex", Ct));
    }

    [StoreFact]
    public async Task CreateAccountAsync_OwnerEmailTakenWithOtherCase_ThrowsAlreadyExistsAndChangesNothing()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme", "owner", "boss@example.com");

        var error = await temp.AssertRefusedAsync<AlreadyExistsException>(() => temp.Store.CreateAccountAsync(
            Samples.Account("globex"), Samples.DefaultRole("globex"), Samples.User("globex", "boss2", "BOSS@Example.COM"),
            Samples.Audit("admin.CreateAccount"), Ct));
        Assert.Contains("is taken", error.Message);
    }

    [StoreFact]
    public async Task Writes_MissingAccount_ThrowNotFoundAndChangeNothing()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        var audit = Samples.Audit("admin.Write");

        Func<Task>[] writes =
        [
            () => temp.Store.PutRoleAsync(Samples.Role("nope", "r1"), audit, Ct),
            () => temp.Store.DeleteRoleAsync("nope", "r1", audit, Ct),
            () => temp.Store.PutUserAsync(Samples.User("nope", "u1"), audit, Ct),
            () => temp.Store.DeleteUserAsync("nope", "u1", audit, Ct),
            () => temp.Store.PutNodeAsync(Samples.Group("nope", "g1"), audit, Ct),
            () => temp.Store.DeleteNodeAsync("nope", "g1", audit, Ct),
            () => temp.Store.SetRemoteAccessAsync("nope", RemoteAccessTarget.Tag, "t", true, audit, Ct),
        ];
        foreach (var write in writes)
        {
            var error = await temp.AssertRefusedAsync<NotFoundException>(write);
            Assert.Equal("account nope not found", error.Message);
        }
    }

    [StoreFact]
    public async Task Writes_EachAccepted_BumpRevisionByOneAndAuditWithIt()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        await temp.CreateAccountAsync("globex", "gowner");
        var device = Samples.DeviceId(1);

        Func<Task<long>>[] writes =
        [
            () => temp.Store.PutRoleAsync(Samples.Role("acme", "ops"), Samples.Audit("admin.PutRole"), Ct),
            () => temp.Store.PutUserAsync(Samples.User("acme", "ann", null, "ops"), Samples.Audit("admin.PutUser"), Ct),
            async () => (await temp.Store.PutNodeAsync(Samples.Group("acme", "g1"), Samples.Audit("admin.PutNode"), Ct)).Revision,
            async () => (await temp.Store.PutNodeAsync(Samples.Device("acme", device, "g1"), Samples.Audit("admin.PutNode"), Ct)).Revision,
            () => temp.Store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Node, device, true, Samples.Audit("admin.SetRemoteAccess"), Ct),
            () => temp.Store.SetRemoteAccessAsync("acme", RemoteAccessTarget.Node, device, null, Samples.Audit("admin.SetRemoteAccess"), Ct),
            () => temp.Store.DeleteNodeAsync("acme", device, Samples.Audit("admin.DeleteNode"), Ct),
            () => temp.Store.DeleteUserAsync("acme", "ann", Samples.Audit("admin.DeleteUser"), Ct),
            () => temp.Store.DeleteRoleAsync("acme", "ops", Samples.Audit("admin.DeleteRole"), Ct),
        ];

        var expected = 1L;
        foreach (var write in writes)
        {
            expected++;
            Assert.Equal(expected, await write());
            Assert.Equal(expected, await temp.RevisionAsync("acme"));
            var newest = (await temp.Store.ListAuditEventsAsync(new AuditQuery("acme", 1, null, "", "", null), Ct))[0];
            Assert.Equal(("acme", expected), (newest.AccountId, newest.Revision));
        }

        // Writes to one account never move another's revision.
        Assert.Equal(1, await temp.RevisionAsync("globex"));
        Assert.Equal(writes.Length + 1, (await temp.Store.ListAuditEventsAsync(new AuditQuery("acme", 100, null, "", "", null), Ct)).Count);
    }

    [StoreFact]
    public async Task Writes_Concurrent_EachGetsItsOwnRevision()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");

        var revisions = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            temp.NewStore().PutRoleAsync(Samples.Role("acme", $"r{i}"), Samples.Audit("admin.PutRole"), Ct))));

        Assert.Equal(Enumerable.Range(2, 20).Select(i => (long)i), revisions.Order());
    }

    [StoreFact]
    public async Task CreateAccountAsync_SameIdConcurrently_OneCreatedTheOthersAlreadyExists()
    {
        // Replicas creating one account at once: there is no row yet to lock, and the losers must hear ALREADY_EXISTS
        // (not a store failure from the primary key).
        await using var temp = await CreateStoreAsync();

        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            try
            {
                return await temp.NewStore().CreateAccountAsync(
                    Samples.Account("acme"), Samples.DefaultRole("acme"), Samples.User("acme", $"owner{i}", $"owner{i}@acme.example", Ids.DefaultRoleId),
                    Samples.Audit("admin.CreateAccount"), Ct);
            }
            catch (AlreadyExistsException)
            {
                return 0L;
            }
        })));

        Assert.Equal([0L, 0, 0, 0, 0, 0, 0, 1], attempts.Order());
        Assert.Single((await temp.Store.LoadAccountAsync("acme", Ct))!.Users);
    }

    [StoreFact]
    public async Task PutUserAsync_SameUserIdFromTwoAccountsConcurrently_OneHoldsItTheOtherAlreadyExists()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        await temp.CreateAccountAsync("globex", "globex-owner");

        var claims = await Task.WhenAll(Enumerable.Range(0, 6).SelectMany(i => new[] { "acme", "globex" }.Select(account => Task.Run(async () =>
        {
            try
            {
                await temp.NewStore().PutUserAsync(
                    Samples.User(account, $"u{i}", $"u{i}@{account}.example"), Samples.Audit("admin.PutUser"), Ct);
                return (User: i, Holder: account);
            }
            catch (AlreadyExistsException)
            {
                return (User: i, Holder: "");
            }
        }))));

        foreach (var user in claims.GroupBy(c => c.User))
        {
            Assert.Single(user, c => c.Holder != "");
        }

        var acme = (await temp.Store.LoadAccountAsync("acme", Ct))!.Users.Count;
        var globex = (await temp.Store.LoadAccountAsync("globex", Ct))!.Users.Count;
        Assert.Equal(2 + 6, acme + globex); // the two owners and each user once
    }

    [StoreFact]
    public async Task PutUsersAsync_SameUsersFromTwoAccountsInOppositeOrder_OneHoldsThemAllTheOtherAlreadyExists()
    {
        // Each writer locks every user id and email it is about to check: taken in request order, two writers asking
        // in opposite order would each hold what the other waits for (a deadlock, then UNAVAILABLE for one of them).
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        await temp.CreateAccountAsync("globex", "globex-owner");

        for (var round = 0; round < 3; round++)
        {
            var ids = Enumerable.Range(0, 40).Select(i => $"r{round}u{i:D2}").ToList();
            var claims = await Task.WhenAll(new[] { "acme", "globex" }.Select(account => Task.Run(async () =>
            {
                var order = account == "acme" ? ids : Enumerable.Reverse(ids);
                try
                {
                    await temp.NewStore().PutUsersAsync(
                        account, order.Select(id => Samples.User(account, id, $"{id}@users.example")).ToList(), Samples.Audit("admin.PutUsers"), Ct);
                    return account;
                }
                catch (AlreadyExistsException)
                {
                    return "";
                }
            })));

            var holder = Assert.Single(claims, c => c != "");
            var held = (await temp.Store.LoadAccountAsync(holder, Ct))!.Users.Select(u => u.UserId).ToHashSet();
            Assert.Superset(ids.ToHashSet(), held);
        }
    }

    [StoreFact]
    public async Task ListAccountsAsync_TwoAccounts_ReturnsBothWithRevisions()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("globex", "gowner");
        await temp.CreateAccountAsync("acme");
        await temp.Store.PutRoleAsync(Samples.Role("acme", "ops"), Samples.Audit("admin.PutRole"), Ct);

        var accounts = await temp.Store.ListAccountsAsync(Ct);

        Assert.Equal([new AccountRecord("acme", "acme Inc.", 2), new AccountRecord("globex", "globex Inc.", 1)], accounts.Select(a => a with { Stamp = 0 }));
        Assert.Equal((await temp.Store.GetAccountAsync("acme", Ct))!.Stamp, accounts[0].Stamp);
        Assert.Null(await temp.Store.GetAccountAsync("nope", Ct));
        Assert.Null(await temp.Store.LoadAccountAsync("nope", Ct));
        await temp.Store.PingAsync(Ct);
    }

    [StoreFact]
    public async Task Write_EachRevision_DrawsANewStampThatEveryReadReturns()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        var first = (await temp.Store.GetAccountAsync("acme", Ct))!;

        await temp.Store.PutRoleAsync(Samples.Role("acme", "ops"), Samples.Audit("admin.PutRole"), Ct);

        var second = (await temp.Store.GetAccountAsync("acme", Ct))!;
        Assert.Equal(first.Revision + 1, second.Revision);
        Assert.NotEqual(first.Stamp, second.Stamp);
        Assert.Equal(second.Version, (await temp.Store.LoadAccountAsync("acme", Ct))!.Account.Version);
        Assert.Equal(second.Version, Assert.Single(await temp.Store.ListAccountsAsync(Ct)).Version);
    }
}
