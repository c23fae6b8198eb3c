using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.UnitTests.Storage;

internal static class Samples
{
    private static long s_requestCounter;

    public static AccountRecord Account(string accountId) => new(accountId, $"{accountId} Inc.", 0);

    public static RoleRecord DefaultRole(string accountId) =>
        new(accountId, Ids.DefaultRoleId, "Default", "Every permission", [new PolicyRecord("device:read", [])]);

    public static RoleRecord Role(string accountId, string roleId, string? name = null, params PolicyRecord[] policies) =>
        new(accountId, roleId, name ?? $"Role {roleId}", $"About {roleId}", policies);

    public static UserRecord User(string accountId, string userId, string? email = null, params string[] roleIds) =>
        new(accountId, userId, email ?? $"{userId}@example.com", "First", "Last", roleIds, UserState.Active);

    public static NodeRecord Group(string accountId, string nodeId, string parentId = "", params string[] tags) =>
        new(accountId, nodeId, NodeKind.Group, parentId, $"Group {nodeId}", tags, false);

    public static NodeRecord Device(string accountId, string nodeId, string parentId = "", params string[] tags) =>
        new(accountId, nodeId, NodeKind.Device, parentId, $"Device {nodeId[..8]}", tags, false);

    /// <summary>A valid device id (64 lowercase hex) made from a small number.</summary>
    public static string DeviceId(int n) => n.ToString("x64");

    /// <summary>Times at millisecond precision: what the store keeps.</summary>
    public static AuditRecord Audit(string kind, string accountId = "", string userId = "", string deviceId = "", long ms = 1_700_000_000_000) =>
        new(0, DateTimeOffset.FromUnixTimeMilliseconds(ms), accountId, kind, userId, deviceId, "", null, true, 0, "", "", "tests",
            $"req-{Interlocked.Increment(ref s_requestCounter)}", "", 0);

    public static AuditRecord Decision(string accountId, string userId, string deviceId, long ms, bool allowed = true) =>
        new(0, DateTimeOffset.FromUnixTimeMilliseconds(ms), accountId, "remote_access.check", userId, deviceId,
            "remote-access:connect", new RemoteAccessRequest(RemoteAction.Tunnel, "tcp", 22, "localhost", "", ""), allowed,
            allowed ? 1 : 7, allowed ? "default" : "", allowed ? "*" : "", "gateway",
            $"req-{Interlocked.Increment(ref s_requestCounter)}", "", 5);
}
