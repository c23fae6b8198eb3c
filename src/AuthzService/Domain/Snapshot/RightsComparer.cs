using Qbee.Authz.Service.Domain.Resources;

namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>
/// Compares the rights of a user (a class of users) before and after a write, per permission: account-wide ones held
/// or not; device ones as the devices they reach, each grant's reach the bitset of its entity (<see cref="DeviceSets"/>).
/// remote-access:connect reaches a device per action (console, tunnel, reload, copy) at two levels, allowed at all
/// and allowed with any parameters, where the device accepts remote access: a device is gained (lost) when one of
/// those eight grows (shrinks) there. Options of an action allowed only with options (other ports, other paths)
/// are not told apart. Reuses its buffers: one comparer per diff, one thread.
/// </summary>
internal sealed class RightsComparer(DeviceSpace space, DeviceSets before, DeviceSets after)
{
    private const int ConnectLevels = 8; // 4 actions x (at all, with any parameters)

    private readonly ulong[] _before = new ulong[space.Words];
    private readonly ulong[] _after = new ulong[space.Words];
    private readonly ulong[] _gained = new ulong[space.Words];
    private readonly ulong[] _lost = new ulong[space.Words];
    private readonly ulong[] _userGained = new ulong[space.Words];
    private readonly ulong[] _userLost = new ulong[space.Words];

    /// <param name="old">Null: absent or disabled before (holds nothing).</param>
    /// <param name="now">Null: absent or disabled after.</param>
    /// <param name="words">The words of the device space to compare (the others are known unchanged).</param>
    public RightsChange Compare(UserEntry? old, UserEntry? now, int[] words)
    {
        DeviceBits.Clear(_userGained, words);
        DeviceBits.Clear(_userLost, words);
        var permissions = new List<PermissionReachChange>();
        var gainedNames = new List<Permission>();
        var lostNames = new List<Permission>();
        for (var p = 0; p < PermissionCatalog.Count; p++)
        {
            var permission = (Permission)p;
            var was = GrantsOf(old, permission);
            var isNow = GrantsOf(now, permission);
            bool heldBefore = was.Length > 0, heldAfter = isNow.Length > 0;
            if (!heldBefore && !heldAfter)
            {
                continue;
            }

            int devicesGained = 0, devicesLost = 0;
            IReadOnlyList<string> idsGained = [], idsLost = [];
            if (PermissionCatalog.IsRestrictable(permission))
            {
                DeviceBits.Clear(_gained, words);
                DeviceBits.Clear(_lost, words);
                var levels = permission == Permission.RemoteAccessConnect ? ConnectLevels : 1;
                for (var level = 0; level < levels; level++)
                {
                    var connectLevel = permission == Permission.RemoteAccessConnect ? level : -1;
                    Fill(_before, before, was, connectLevel, words);
                    Fill(_after, after, isNow, connectLevel, words);
                    DeviceBits.OrAndNot(_gained, _after, _before, words);
                    DeviceBits.OrAndNot(_lost, _before, _after, words);
                }

                devicesGained = DeviceBits.Count(_gained, words);
                devicesLost = DeviceBits.Count(_lost, words);
                DeviceBits.Or(_userGained, _gained, words);
                DeviceBits.Or(_userLost, _lost, words);
                idsGained = Ids(_gained, words);
                idsLost = Ids(_lost, words);
            }

            if (heldBefore == heldAfter && devicesGained == 0 && devicesLost == 0)
            {
                continue;
            }

            permissions.Add(new PermissionReachChange(permission, heldBefore, heldAfter, devicesGained, devicesLost, idsGained, idsLost));
            if ((!heldBefore && heldAfter) || devicesGained > 0)
            {
                gainedNames.Add(permission);
            }

            if ((heldBefore && !heldAfter) || devicesLost > 0)
            {
                lostNames.Add(permission);
            }
        }

        return permissions.Count == 0
            ? RightsChange.None
            : new RightsChange(gainedNames, lostNames, DeviceBits.Count(_userGained, words), DeviceBits.Count(_userLost, words), permissions);
    }

    private static Grant[] GrantsOf(UserEntry? user, Permission permission) =>
        user is null || user.Disabled ? [] : user.GrantsFor(permission);

    /// <summary>The devices <paramref name="grants"/> reach; for connect, at one level, where remote access is on.</summary>
    private static void Fill(ulong[] into, DeviceSets sets, Grant[] grants, int connectLevel, int[] words)
    {
        DeviceBits.Clear(into, words);
        var any = false;
        foreach (var grant in grants)
        {
            if (connectLevel >= 0 && !Reaches(grant.Filter, connectLevel))
            {
                continue;
            }

            if (sets.Covered(grant) is { } covered)
            {
                DeviceBits.Or(into, covered, words);
                any = true;
            }
        }

        if (any && connectLevel >= 0)
        {
            DeviceBits.And(into, sets.RemoteAccess, words);
        }
    }

    /// <summary>Level 2a: action a allowed at all; 2a + 1: allowed with any parameters (as the evaluator's "restricted").</summary>
    private static bool Reaches(ResourceFilter filter, int level)
    {
        var action = (RemoteAction)((level >> 1) + 1);
        return filter.Action == RemoteAction.None
            || (filter.Action == action && ((level & 1) == 0 || filter.HasNoOptions));
    }

    private List<string> Ids(ulong[] bits, int[] words)
    {
        var positions = DeviceBits.First(bits, words, ImpactDiff.ListedDevices);
        var ids = new List<string>(positions.Count);
        foreach (var position in positions)
        {
            ids.Add(space.Ids[position]);
        }

        return ids;
    }
}

/// <summary>One class of users' change (see <see cref="UserRightsChange"/>), shared by every user of the class.</summary>
internal sealed record RightsChange(
    IReadOnlyList<Permission> Gained,
    IReadOnlyList<Permission> Lost,
    int DevicesGained,
    int DevicesLost,
    IReadOnlyList<PermissionReachChange> Permissions)
{
    public static readonly RightsChange None = new([], [], 0, 0, []);
}
