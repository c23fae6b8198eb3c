using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Grpc.Mapping;
using Qbee.Authz.Service.UnitTests.Domain;
using Qbee.Authz.TestKit;
using Qbee.Authz.TestKit.Accounts;
using Qbee.Authz.V1;
using ProtoRecord = Qbee.Authz.V1.AccountRecord;

namespace Qbee.Authz.Service.UnitTests.Grpc;

public sealed class ExportMappingTests
{
    private static readonly AccountData Generated = AccountGenerator.Generate(2_000);

    [Fact]
    public void ToAccountData_OfToRecords_IsTheSameAccountAndCompilesToTheSameSnapshot()
    {
        var records = ExportMapping.ToRecords(Generated).ToList();

        var back = ExportMapping.ToAccountData(records);

        Assert.Equal(Generated.Account, back.Account);
        Assert.Equal(Generated.Roles, back.Roles, RowComparer<RoleRecord>.Instance);
        Assert.Equal(Generated.Users, back.Users, RowComparer<UserRecord>.Instance);
        Assert.Equal(Generated.Nodes.OrderBy(n => n.NodeId, StringComparer.Ordinal), back.Nodes.OrderBy(n => n.NodeId, StringComparer.Ordinal), RowComparer<NodeRecord>.Instance);
        var nodeIds = Generated.Nodes.Select(n => n.NodeId);
        Assert.Equal(
            SnapshotProjection.Of(SnapshotCompiler.Compile(Generated, DateTimeOffset.UnixEpoch), nodeIds),
            SnapshotProjection.Of(SnapshotCompiler.Compile(back, DateTimeOffset.UnixEpoch), nodeIds));
    }

    [Fact]
    public void ToRecords_TagSettings_ComeInTheOrderTheyWereChanged()
    {
        var records = ExportMapping.ToRecords(Generated).ToList();

        var tags = records.Where(r => r.RemoteAccess?.Tag.Length > 0).Select(r => r.RemoteAccess.Tag);

        Assert.Equal(
            Generated.RemoteAccessSettings.Where(s => s.TargetKind == RemoteAccessTarget.Tag).OrderBy(s => s.ChangedRevision).Select(s => s.Target),
            tags);
    }

    [Fact]
    public void ToRecords_Nodes_RootAndUnassignedFirstAndEveryParentBeforeItsChildren()
    {
        var nodes = ExportMapping.ToRecords(Generated).Where(r => r.RecordCase == ProtoRecord.RecordOneofCase.Node).Select(r => r.Node).ToList();

        Assert.Equal([Ids.Root, Ids.UnassignedGroup], nodes.Take(2).Select(n => n.NodeId));
        var seen = new HashSet<string>(StringComparer.Ordinal) { Ids.Root };
        foreach (var node in nodes.Skip(1))
        {
            Assert.Contains(node.ParentId, seen);
            seen.Add(node.NodeId);
        }

        Assert.Equal(Generated.Nodes.Count, nodes.Count);
    }

    [Fact]
    public void ToRecords_End_CountsEachKind()
    {
        var end = ExportMapping.ToRecords(Generated).Last();

        Assert.Equal(
            new ImportCounts { Roles = Generated.Roles.Count, Users = Generated.Users.Count, Nodes = Generated.Nodes.Count, RemoteAccess = Generated.RemoteAccessSettings.Count },
            end.End);
    }

    [Fact]
    public void ToAccountData_ChildBeforeItsParentAndNoReservedNodes_OrdersParentsFirstAndAddsRootAndUnassigned()
    {
        ProtoRecord[] records =
        [
            new() { Account = new Account { AccountId = "a", Name = "A", Revision = 7 } },
            new() { Node = Fleet.Device("a", Fleet.DeviceId(1), "inner") },
            new() { Node = Fleet.Device("a", Fleet.DeviceId(2), "missing") },
            new() { Node = Fleet.Group("a", "inner", "outer") },
            new() { Node = Fleet.Group("a", "outer", "") },
            new() { End = new ImportCounts { Nodes = 4 } },
        ];

        var data = ExportMapping.ToAccountData(records);

        Assert.Equal(7, data.Account.Revision);
        Assert.Equal(
            [$"{Ids.Root}<", $"{Ids.UnassignedGroup}<{Ids.Root}", $"outer<{Ids.Root}", $"{Fleet.DeviceId(2)}<{Ids.UnassignedGroup}", "inner<outer", $"{Fleet.DeviceId(1)}<inner"],
            data.Nodes.Select(n => $"{n.NodeId}<{n.ParentId}"));
    }

    [Fact]
    public void ToAccountData_AStreamWithoutItsEndRecord_IsRefused()
    {
        ProtoRecord[] records = [.. ExportMapping.ToRecords(Generated).SkipLast(1)];

        var error = Assert.Throws<InvalidFieldException>(() => ExportMapping.ToAccountData(records));

        Assert.Equal("records", error.Field);
        Assert.Contains("ended without its end record", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToAccountData_ARecordAWriteWouldRefuse_ThrowsNamingTheRecord()
    {
        ProtoRecord[] records =
        [
            new() { Account = new Account { AccountId = "a", Name = "A" } },
            new() { Node = Fleet.Group("a", "g", "", "bad tag") },
        ];

        var error = Assert.Throws<InvalidFieldException>(() => ExportMapping.ToAccountData(records));

        Assert.Equal("records[1].node.tags[0]", error.Field);
    }

    /// <summary>Rows compared by value, lists inside them by their items.</summary>
    private sealed class RowComparer<T> : IEqualityComparer<T>
    {
        public static readonly RowComparer<T> Instance = new();

        public bool Equals(T? x, T? y) => Text(x) == Text(y);

        public int GetHashCode(T obj) => Text(obj).GetHashCode(StringComparison.Ordinal);

        private static string Text(T? row) => System.Text.Json.JsonSerializer.Serialize(row);
    }
}
