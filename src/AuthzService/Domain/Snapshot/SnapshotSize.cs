namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>
/// What a snapshot holds on the managed heap, estimated from its arrays and tables (64-bit object layouts): the
/// figure a replica's memory budget counts, computed once per snapshot in a pass over its arrays and users, no
/// walk of the heap. A snapshot patched from another shares most of its chunks with it; each is counted whole, as
/// it would stand once the other is gone.
/// </summary>
internal static class SnapshotSize
{
    private const long ObjectHeader = 16;
    private const long ArrayHeader = 24;
    private const long Reference = 8;

    // A frozen dictionary entry: its key and value references, the hash codes and the buckets.
    private const long DictionaryEntry = 32;

    public static long Estimate(AccountSnapshot snapshot)
    {
        long bytes = ObjectHeader + 128;
        foreach (var chunk in snapshot.Chunks)
        {
            bytes += Array(chunk.Ids.Length, Reference) + Array(chunk.Facts.Length, 16) + Array(chunk.Ancestors.Length, 4)
                + Array(chunk.Tags.Length, 4) + Array(chunk.Parents.Length, 4);
            foreach (var id in chunk.Ids)
            {
                // The group index's keys are these strings too.
                bytes += String(id);
            }
        }

        bytes += Array(snapshot.Chunks.Length, 40);
        bytes += snapshot.DeviceIndex.EstimatedBytes;
        bytes += Array(snapshot.DevicesInOrder.Length, 4);
        bytes += snapshot.GroupIndex.Count * DictionaryEntry;
        bytes += Array(snapshot.TagNames.Length, Reference) + Array(snapshot.TagSettings.Length, Reference);
        foreach (var tag in snapshot.TagNames)
        {
            bytes += String(tag);
        }

        bytes += snapshot.DanglingParents.Count * DictionaryEntry;
        bytes += snapshot.Roles.Count * DictionaryEntry;
        foreach (var role in snapshot.Roles.Values)
        {
            bytes += ObjectHeader + (2 * Reference) + Grants(role.GrantsByPermission) + String(role.Record.RoleId) + String(role.Record.Name)
                + String(role.Record.Description);
            foreach (var policy in role.Record.Policies)
            {
                bytes += ObjectHeader + Array(policy.Resources.Count, Reference);
                foreach (var resource in policy.Resources)
                {
                    bytes += String(resource);
                }
            }
        }

        bytes += snapshot.Users.Count * DictionaryEntry;
        foreach (var user in snapshot.Users.Values)
        {
            bytes += ObjectHeader + (6 * Reference) + String(user.UserId) + String(user.Email)
                + Array(user.RoleIds.Length, Reference) + Array(user.AssignedRoleIds.Count, Reference)
                + Array(user.GrantsByPermission.Length, Reference);
            foreach (var grants in user.GrantsByPermission)
            {
                // The grants are the roles' own instances; a user holding several roles gets its own arrays of them.
                bytes += grants.Length == 0 ? 0 : Array(grants.Length, Reference);
            }
        }

        return bytes;
    }

    private static long Grants(Grant[][] byPermission)
    {
        var bytes = Array(byPermission.Length, Reference);
        foreach (var grants in byPermission)
        {
            bytes += grants.Length == 0 ? 0 : Array(grants.Length, Reference);
            foreach (var grant in grants)
            {
                // The grant and its parsed filter (the resource text is the policy's string).
                bytes += ObjectHeader + 24 + ObjectHeader + 72;
            }
        }

        return bytes;
    }

    private static long Array(long length, long elementBytes) => Align(ArrayHeader + (length * elementBytes));

    private static long String(string? value) => value is null ? 0 : Align(22 + (2L * value.Length));

    private static long Align(long bytes) => (bytes + 7) & ~7L;
}
