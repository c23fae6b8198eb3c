using System.Collections.Frozen;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.UnitTests.Snapshots;

/// <summary>
/// Patched snapshots of the <see cref="AuditReaderSnapshots"/> account made by hand, as a patcher shares them: the
/// entries of the users a patch did not touch are the instances of the snapshot before, and a patch that touched no
/// user keeps its users map.
/// </summary>
internal static class HandPatches
{
    /// <summary>The next revision of <paramref name="before"/> with <paramref name="users"/> as its users.</summary>
    public static PatchedSnapshot Patch(
        AccountSnapshot before, FrozenDictionary<string, UserEntry> users, IReadOnlyList<string> changed, string[] revoked, long? revision = null) =>
        new(new AccountSnapshot(
                before.AccountId,
                before.AccountName,
                new AccountVersion(revision ?? before.Revision + 1, before.Version.Stamp + 1),
                DateTimeOffset.UnixEpoch,
                before.GroupIndex,
                before.DeviceIndex,
                before.Chunks,
                before.NodeCount,
                before.DevicesInOrder,
                before.TagNames,
                before.TagSettings,
                users,
                before.Roles,
                before.DanglingParents,
                before.CutOffCount),
            changed,
            revoked);

    /// <summary>The users of <paramref name="before"/> (the same entries) without <paramref name="removed"/> and with <paramref name="put"/>.</summary>
    public static FrozenDictionary<string, UserEntry> Users(AccountSnapshot before, IEnumerable<UserEntry> put, params string[] removed)
    {
        var users = before.Users.Where(u => !removed.Contains(u.Key)).ToDictionary(StringComparer.Ordinal);
        foreach (var entry in put)
        {
            users[entry.UserId] = entry;
        }

        return users.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>A new entry of the user holding the audit reader role, active or disabled.</summary>
    public static UserEntry Entry(string userId, bool disabled = false)
    {
        var compiled = AuditReaderSnapshots.Snapshot(1, 0, userId).Users[userId];
        return new UserEntry(userId, disabled, compiled.RoleIds, compiled.GrantsByPermission, compiled.AssignedRoleIds);
    }
}
