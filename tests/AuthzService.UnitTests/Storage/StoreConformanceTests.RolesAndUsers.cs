using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.UnitTests.Storage;

public abstract partial class StoreConformanceTests
{
    [StoreFact]
    public async Task PutRoleAsync_ExistingRole_ReplacesNameDescriptionAndPolicies()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        await temp.Store.PutRoleAsync(
            Samples.Role("acme", "ops", "Ops", new PolicyRecord("device:read", ["tag:a", "node:g1"]), new PolicyRecord("metrics:read", [])),
            Samples.Audit("admin.PutRole"), Ct);

        await temp.Store.PutRoleAsync(Samples.Role("acme", "ops", "Operators", new PolicyRecord("device:manage", ["*"])), Samples.Audit("admin.PutRole"), Ct);

        var role = (await temp.Store.LoadAccountAsync("acme", Ct))!.Roles.Single(r => r.RoleId == "ops");
        Assert.Equal(("Operators", "About ops"), (role.Name, role.Description));
        var policy = Assert.Single(role.Policies);
        Assert.Equal("device:manage", policy.Permission);
        Assert.Equal(["*"], policy.Resources);
    }

    [StoreFact]
    public async Task PutRoleAsync_NameTakenByAnotherRole_ThrowsAlreadyExistsAndChangesNothing()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        await temp.Store.PutRoleAsync(Samples.Role("acme", "ops", "Ops"), Samples.Audit("admin.PutRole"), Ct);

        var error = await temp.AssertRefusedAsync<AlreadyExistsException>(
            () => temp.Store.PutRoleAsync(Samples.Role("acme", "ops2", "Ops"), Samples.Audit("admin.PutRole"), Ct));
        Assert.Equal("role name 'Ops' is taken by role ops", error.Message);
    }

    [StoreFact]
    public async Task PutRoleAsync_SameNameInAnotherAccount_IsAccepted()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        await temp.CreateAccountAsync("globex", "gowner");
        await temp.Store.PutRoleAsync(Samples.Role("acme", "ops", "Ops"), Samples.Audit("admin.PutRole"), Ct);

        Assert.Equal(2, await temp.Store.PutRoleAsync(Samples.Role("globex", "ops", "Ops"), Samples.Audit("admin.PutRole"), Ct));
    }

    [StoreFact]
    public async Task DeleteRoleAsync_Unassigned_RemovesIt()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        await temp.Store.PutRoleAsync(Samples.Role("acme", "ops"), Samples.Audit("admin.PutRole"), Ct);

        await temp.Store.DeleteRoleAsync("acme", "ops", Samples.Audit("admin.DeleteRole"), Ct);

        Assert.DoesNotContain((await temp.Store.LoadAccountAsync("acme", Ct))!.Roles, r => r.RoleId == "ops");
    }

    [StoreFact]
    public async Task DeleteRoleAsync_Missing_ThrowsNotFoundAndChangesNothing()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");

        await temp.AssertRefusedAsync<NotFoundException>(() => temp.Store.DeleteRoleAsync("acme", "ops", Samples.Audit("admin.DeleteRole"), Ct));
    }

    [StoreFact]
    public async Task DeleteRoleAsync_Assigned_ThrowsPreconditionFailedNamingSortedUsers()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        await temp.Store.PutRoleAsync(Samples.Role("acme", "ops"), Samples.Audit("admin.PutRole"), Ct);
        await temp.Store.PutUserAsync(Samples.User("acme", "zoe", null, "ops"), Samples.Audit("admin.PutUser"), Ct);
        await temp.Store.PutUserAsync(Samples.User("acme", "bob", null, Ids.DefaultRoleId, "ops"), Samples.Audit("admin.PutUser"), Ct);

        var error = await temp.AssertRefusedAsync<PreconditionFailedException>(
            () => temp.Store.DeleteRoleAsync("acme", "ops", Samples.Audit("admin.DeleteRole"), Ct));
        Assert.EndsWith("bob, zoe", error.Message);
    }

    [StoreFact]
    public async Task PutUserAsync_NewAndReplaced_KeepsRoleOrderAndFields()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        await temp.Store.PutRoleAsync(Samples.Role("acme", "ops"), Samples.Audit("admin.PutRole"), Ct);
        await temp.Store.PutUserAsync(Samples.User("acme", "ann", "ann@example.com", "ops", Ids.DefaultRoleId), Samples.Audit("admin.PutUser"), Ct);

        var replaced = new UserRecord("acme", "ann", "Ann.New@Example.com", "Ann", "Lee", [Ids.DefaultRoleId], UserState.Disabled);
        await temp.Store.PutUserAsync(replaced, Samples.Audit("admin.PutUser"), Ct);

        var ann = (await temp.Store.LoadAccountAsync("acme", Ct))!.Users.Single(u => u.UserId == "ann");
        Assert.Equal(("Ann.New@Example.com", "Ann", "Lee", UserState.Disabled), (ann.Email, ann.FirstName, ann.LastName, ann.Status));
        Assert.Equal([Ids.DefaultRoleId], ann.RoleIds);

        // The old address is free again once its holder changed it.
        await temp.Store.PutUserAsync(Samples.User("acme", "ben", "ANN@example.com"), Samples.Audit("admin.PutUser"), Ct);
    }

    [StoreFact]
    public async Task PutUserAsync_RolesInGivenOrder_LoadsInThatOrder()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        foreach (var id in new[] { "c", "a", "b" })
        {
            await temp.Store.PutRoleAsync(Samples.Role("acme", id), Samples.Audit("admin.PutRole"), Ct);
        }

        await temp.Store.PutUserAsync(Samples.User("acme", "ann", null, "c", "a", "b"), Samples.Audit("admin.PutUser"), Ct);

        Assert.Equal(["c", "a", "b"], (await temp.Store.LoadAccountAsync("acme", Ct))!.Users.Single(u => u.UserId == "ann").RoleIds);
    }

    [StoreFact]
    public async Task PutUserAsync_UserIdInAnotherAccount_ThrowsAlreadyExistsAndChangesNothing()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        await temp.CreateAccountAsync("globex", "gowner");

        await temp.AssertRefusedAsync<AlreadyExistsException>(
            () => temp.Store.PutUserAsync(Samples.User("globex", "owner", "fresh@example.com"), Samples.Audit("admin.PutUser"), Ct));
    }

    [StoreFact]
    public async Task PutUserAsync_EmailTakenCaseInsensitively_ThrowsAlreadyExistsAndChangesNothing()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme", "owner", "user@example.com");
        await temp.CreateAccountAsync("globex", "gowner");

        var error = await temp.AssertRefusedAsync<AlreadyExistsException>(
            () => temp.Store.PutUserAsync(Samples.User("globex", "u2", "USER@example.com"), Samples.Audit("admin.PutUser"), Ct));
        Assert.Equal("email 'USER@example.com' is taken", error.Message);
    }

    [StoreFact]
    public async Task PutUserAsync_PlusAddress_IsADifferentEmail()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme", "owner", "user@example.com");

        Assert.Equal(2, await temp.Store.PutUserAsync(Samples.User("acme", "u2", "user+org2@example.com"), Samples.Audit("admin.PutUser"), Ct));
    }

    [StoreFact]
    public async Task PutUserAsync_UnknownRole_ThrowsNotFoundNamingItAndChangesNothing()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        await temp.CreateAccountAsync("globex", "gowner");
        await temp.Store.PutRoleAsync(Samples.Role("globex", "ops"), Samples.Audit("admin.PutRole"), Ct);

        // A role of another account is as unknown as a missing one.
        var error = await temp.AssertRefusedAsync<NotFoundException>(
            () => temp.Store.PutUserAsync(Samples.User("acme", "ann", null, Ids.DefaultRoleId, "ops"), Samples.Audit("admin.PutUser"), Ct));
        Assert.Contains("ops", error.Message);
    }

    [StoreFact]
    public async Task DeleteUserAsync_Existing_RemovesUserAndFreesEmail()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        await temp.Store.PutUserAsync(Samples.User("acme", "ann", "ann@example.com", Ids.DefaultRoleId), Samples.Audit("admin.PutUser"), Ct);

        await temp.Store.DeleteUserAsync("acme", "ann", Samples.Audit("admin.DeleteUser"), Ct);

        Assert.DoesNotContain((await temp.Store.LoadAccountAsync("acme", Ct))!.Users, u => u.UserId == "ann");
        Assert.Equal(0, await temp.CountAsync("SELECT COUNT(*) FROM user_roles WHERE user_id = 'ann'"));
        await temp.Store.PutUserAsync(Samples.User("acme", "ann2", "ann@example.com"), Samples.Audit("admin.PutUser"), Ct);
    }

    [StoreFact]
    public async Task DeleteUserAsync_MissingOrInAnotherAccount_ThrowsNotFoundAndChangesNothing()
    {
        await using var temp = await CreateStoreAsync();
        await temp.CreateAccountAsync("acme");
        await temp.CreateAccountAsync("globex", "gowner");

        await temp.AssertRefusedAsync<NotFoundException>(() => temp.Store.DeleteUserAsync("acme", "nobody", Samples.Audit("admin.DeleteUser"), Ct));
        await temp.AssertRefusedAsync<NotFoundException>(() => temp.Store.DeleteUserAsync("acme", "gowner", Samples.Audit("admin.DeleteUser"), Ct));
    }
}
