using Qbee.Authz.Service.Domain.Changes;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.UnitTests.Domain.Changes;

public sealed class ChangeSetApplierTests
{
    private static readonly DateTimeOffset CommittedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_765_000_000_123);

    private static ChangeSet Created(string accountId) => new(accountId, new AccountVersion(1, 11), 0, CommittedAt,
    [
        new AccountPut(accountId, accountId.ToUpperInvariant()),
        new NodePut(new NodeRecord(accountId, "root", NodeKind.Group, "", "root", [], false)),
    ]);

    private static ChangeSet Grouped(string accountId) => new(accountId, new AccountVersion(2, 22), 11, CommittedAt,
    [
        new NodePut(new NodeRecord(accountId, "g1", NodeKind.Group, "root", "G1", [], false)),
    ]);

    [Fact]
    public void Apply_ChangeSetsInOrder_GivesTheRowsAtTheLastVersion()
    {
        var rows = ChangeSetApplier.Apply(ChangeSetApplier.Apply(null, Created("acme")), Grouped("acme"));

        Assert.Equal(new AccountRecord("acme", "ACME", 2, 22), rows.Account);
        Assert.Equal(["root", "g1"], rows.Nodes.Select(n => n.NodeId));
    }

    [Fact]
    public void Apply_AnotherAccountsChangeSet_IsRefused()
    {
        var acme = ChangeSetApplier.Apply(null, Created("acme"));

        // Same version chain, other tenant: every row would be relabelled as acme's.
        var error = Assert.Throws<InvalidOperationException>(() => ChangeSetApplier.Apply(acme, Grouped("globex")));

        Assert.Contains("globex", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_ChangeSetNotFollowingTheRows_IsRefused()
    {
        var acme = ChangeSetApplier.Apply(null, Created("acme"));
        var skipped = Grouped("acme") with { Version = new AccountVersion(3, 33), PreviousStamp = 22 };

        Assert.Throws<InvalidOperationException>(() => ChangeSetApplier.Apply(acme, skipped));
    }
}
