using BenchmarkDotNet.Attributes;
using Qbee.Authz.Service.Domain.Changes;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Snapshot;
using static Qbee.Authz.TestKit.Accounts.AccountRecords;

namespace Qbee.Authz.Benchmarks;

/// <summary>
/// SnapshotPatcher.Apply of one write onto the 100k-device snapshot, against the full compile a write cost
/// before (the baseline): a device retagged, a level-1 group (about 9,900 devices and 1,111 groups below it)
/// moved under another, a role held by about 60 users edited, a user's roles changed. The snapshot before is
/// immutable, so every invocation patches the same one.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 2, iterationCount: 8)]
public class SnapshotPatchBenchmarks
{
    private AccountData _data = null!;
    private AccountSnapshot _snapshot = null!;
    private ChangeSet _retag = null!;
    private ChangeSet _groupMove = null!;
    private ChangeSet _roleEdit = null!;
    private ChangeSet _userPut = null!;

    [GlobalSetup]
    public void Setup()
    {
        _data = Fleet.Data;
        _snapshot = Fleet.Snapshot;
        var device = _data.Nodes.First(n => n.Kind == NodeKind.Device && n.ParentId != "unassigned_group" && !n.Tags.Contains("pci"));
        _retag = Write(new NodePut(device with { Tags = [.. device.Tags, "pci"] }));
        _groupMove = Write(new NodePut(_data.Nodes.Single(n => n.NodeId == "g3") with { ParentId = "g4" }));
        var role = _data.Roles.OrderByDescending(r => _data.Users.Count(u => u.RoleIds.Contains(r.RoleId))).First();
        _roleEdit = Write(new RolePut(role with { Policies = [.. role.Policies, Policy("device:read", "tag:lab")] }));
        var user = _data.Users[10];
        _userPut = Write(new UserPut(user with { RoleIds = [.. user.RoleIds, role.RoleId] }));
    }

    [Benchmark(Baseline = true)]
    public int FullCompile() => AccountGenerator.Compile(_data).DeviceCount;

    [Benchmark]
    public int DeviceRetag() => Patch(_retag);

    [Benchmark]
    public int GroupMove() => Patch(_groupMove);

    [Benchmark]
    public int RoleEdit() => Patch(_roleEdit);

    [Benchmark]
    public int UserPut() => Patch(_userPut);

    private int Patch(ChangeSet changes) => SnapshotPatcher.Apply(_snapshot, changes, DateTimeOffset.UnixEpoch).Snapshot.DeviceCount;

    private ChangeSet Write(Change change) => new(
        _snapshot.AccountId,
        new AccountVersion(_snapshot.Revision + 1, 1),
        _snapshot.Version.Stamp,
        DateTimeOffset.UnixEpoch,
        [change]);
}
