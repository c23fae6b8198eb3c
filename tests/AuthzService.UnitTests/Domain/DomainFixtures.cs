using System.Text;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Evaluation;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Resources;
using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.UnitTests.Domain;

/// <summary>
/// The compile and a check that looks up ids like the check engine does, for hand-made accounts (their records:
/// <see cref="Qbee.Authz.TestKit.Accounts.AccountRecords"/>).
/// </summary>
internal static class DomainFixtures
{
    public static readonly DateTimeOffset BuiltAt = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public static AccountSnapshot Compile(AccountData data) => SnapshotCompiler.Compile(data, BuiltAt);

    /// <summary>
    /// Runs a check the way the check engine names things: <paramref name="target"/> null means no device;
    /// with <paramref name="anyNode"/> false the target must be a device (a check's device_id, an API call's
    /// {device_id}), with true it may be a group too (an API call's {node_id}).
    /// </summary>
    public static Decision Check(
        AccountSnapshot snapshot,
        string userId,
        string permissionName,
        string? target,
        in RemoteAccessQuery query,
        bool anyNode = false,
        StringBuilder? explain = null)
    {
        Assert.True(PermissionCatalog.TryResolve(permissionName, out var permission), permissionName);
        var user = snapshot.Users.GetValueOrDefault(userId);
        return NamedCheck.Decide(snapshot, user, permission, target, anyNode ? NodeNaming.AnyNode : NodeNaming.Device, query, explain);
    }

    public static RemoteAccessQuery Tunnel(TunnelProtocol protocol, int port, string? dst) =>
        new(RemoteAction.Tunnel, protocol, port, dst, CopyDirection.None, null);

    public static RemoteAccessQuery Copy(CopyDirection direction, string? path)
    {
        string? normalized = null;
        if (path is not null)
        {
            Assert.True(DevicePath.TryNormalize(path, out var n, out var error), error);
            normalized = n;
        }

        return new RemoteAccessQuery(RemoteAction.Copy, TunnelProtocol.None, 0, null, direction, normalized);
    }

    public static RemoteAccessQuery Plain(RemoteAction action) => new(action, TunnelProtocol.None, 0, null, CopyDirection.None, null);
}
