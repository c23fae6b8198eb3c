using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.UnitTests.Snapshots;

/// <summary>
/// The smallest account the snapshot and revocation tests need: account acme at a revision and stamp, whose users
/// all hold one role granting audit:read.
/// </summary>
internal static class AuditReaderSnapshots
{
    public static AccountSnapshot Snapshot(long revision, long stamp, params string[] users) => SnapshotCompiler.Compile(
        new AccountData(
            new AccountRecord("acme", "Acme", revision, stamp),
            [new RoleRecord("acme", "r", "R", string.Empty, [new PolicyRecord("audit:read", [])])],
            users.Select(u => new UserRecord("acme", u, $"{u}@example.com", string.Empty, string.Empty, ["r"], UserState.Active)).ToArray(),
            [new NodeRecord("acme", "root", NodeKind.Group, string.Empty, string.Empty, [], false)],
            []),
        DateTimeOffset.UnixEpoch);
}
