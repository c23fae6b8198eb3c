using Qbee.Authz.Service.Domain.Resources;

namespace Qbee.Authz.Service.Domain.Snapshot;

/// <summary>
/// The devices of one snapshot that each grant entity covers, as bitsets over a <see cref="DeviceSpace"/>: every
/// device (<c>*</c>), each tag and node the account's roles name (built in one pass over the devices), and those that
/// accept remote access. A grant's reach is the union of its entities' sets: no per-device evaluation.
/// </summary>
internal sealed class DeviceSets
{
    private readonly AccountSnapshot? _snapshot;
    private readonly int[] _nodes;
    private readonly int _words;
    private readonly ulong[]?[] _tags = [];
    private readonly ulong[]?[] _nodesBelow = [];
    private ulong[]? _remoteAccess;

    /// <param name="snapshot">Null: an account that does not exist (every set empty).</param>
    /// <param name="nodes">By position of <paramref name="space"/>: the device's node index here, -1 when absent.</param>
    public DeviceSets(AccountSnapshot? snapshot, int[] nodes, DeviceSpace space)
    {
        _snapshot = snapshot;
        _nodes = nodes;
        _words = space.Words;
        All = new ulong[_words];
        if (snapshot is null)
        {
            return;
        }

        _tags = new ulong[]?[snapshot.TagNames.Length];
        _nodesBelow = new ulong[]?[snapshot.NodeCount];
        CollectEntities(snapshot);
        for (var position = 0; position < nodes.Length; position++)
        {
            var node = nodes[position];
            if (node < 0)
            {
                continue;
            }

            DeviceBits.Set(All, position);
            var view = snapshot.Node(node);
            foreach (var tag in view.Tags)
            {
                if (_tags[tag] is { } set)
                {
                    DeviceBits.Set(set, position);
                }
            }

            foreach (var ancestor in view.Ancestors)
            {
                if (_nodesBelow[ancestor] is { } set)
                {
                    DeviceBits.Set(set, position);
                }
            }
        }
    }

    /// <summary>Every device of the snapshot.</summary>
    public ulong[] All { get; }

    /// <summary>The devices that accept remote access (their effective setting, agent flag included).</summary>
    public ulong[] RemoteAccess => _remoteAccess ??= BuildRemoteAccess();

    /// <summary>The devices the grant covers (its scope, not its action); null when none.</summary>
    public ulong[]? Covered(Grant grant)
    {
        if (grant.Entity == EntityKind.Any)
        {
            return All;
        }

        var sets = grant.Entity == EntityKind.Tag ? _tags : _nodesBelow;
        return grant.EntityId < 0 || grant.EntityId >= sets.Length ? null : sets[grant.EntityId] ??= Scan(grant);
    }

    // The entities the roles name: a user's grants are its roles' grants.
    private void CollectEntities(AccountSnapshot snapshot)
    {
        foreach (var role in snapshot.Roles.Values)
        {
            foreach (var grants in role.GrantsByPermission)
            {
                foreach (var grant in grants)
                {
                    if (grant.EntityId < 0 || grant.Entity == EntityKind.Any)
                    {
                        continue;
                    }

                    var sets = grant.Entity == EntityKind.Tag ? _tags : _nodesBelow;
                    if (grant.EntityId < sets.Length)
                    {
                        sets[grant.EntityId] ??= new ulong[_words];
                    }
                }
            }
        }
    }

    // A grant whose entity no role names (not expected): its set on its own.
    private ulong[] Scan(Grant grant)
    {
        var set = new ulong[_words];
        for (var position = 0; position < _nodes.Length; position++)
        {
            if (_nodes[position] >= 0)
            {
                var view = _snapshot!.Node(_nodes[position]);
                if (Evaluation.Evaluator.Covers(grant, view.Ancestors, view.Tags))
                {
                    DeviceBits.Set(set, position);
                }
            }
        }

        return set;
    }

    private ulong[] BuildRemoteAccess()
    {
        var set = new ulong[_words];
        for (var position = 0; position < _nodes.Length; position++)
        {
            if (_nodes[position] >= 0 && _snapshot!.RemoteAccessEnabled(_nodes[position]))
            {
                DeviceBits.Set(set, position);
            }
        }

        return set;
    }
}
