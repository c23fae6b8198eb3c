using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Evaluation;
using Qbee.Authz.Service.Domain.Resources;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Snapshots;

namespace Qbee.Authz.Benchmarks;

/// <summary>
/// One check on the 100k-device snapshot through the service's own check path (NamedCheck.Decide, as
/// CheckEngine calls it): the user lookup, the node lookup (restrictable permissions only, a device named as a
/// device), then Evaluator.Check. Each invocation runs
/// <see cref="Batch"/> checks over different devices, so the figure is per check and the caches see a fleet,
/// not one hot device. Ids are fresh string copies, as they come out of a request.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class CheckBenchmarks
{
    private const int Batch = 1024;

    private AccountSnapshot _snapshot = null!;
    private SnapshotRegistry _registry = null!;
    private SnapshotRegistry _onDemandRegistry = null!;
    private CheckInput[] _granted = [];
    private CheckInput[] _outOfScope = [];
    private CheckInput[] _tunnel = [];
    private CheckInput[] _nonRestrictable = [];
    private int[] _grantedDevices = [];

    [GlobalSetup]
    public void Setup()
    {
        _snapshot = Fleet.Snapshot;
        _registry = new SnapshotRegistry();
        _registry.Publish(_snapshot);
        _onDemandRegistry = new SnapshotRegistry([], Options.Create(new SnapshotOptions { Preload = SnapshotOptions.None }));
        _onDemandRegistry.Publish(_snapshot);

        var tunnel = new RemoteAccessQuery(RemoteAction.Tunnel, TunnelProtocol.Tcp, 8080, "localhost", CopyDirection.None, null);
        _granted = Inputs(AccountGenerator.TagReader, Permission.DeviceRead, RemoteAccessQuery.None, DecisionReason.Granted);
        _outOfScope = Inputs(AccountGenerator.GroupReader, Permission.DeviceRead, RemoteAccessQuery.None, DecisionReason.DeviceOutOfScope);
        _tunnel = Inputs(AccountGenerator.TunnelUser, Permission.RemoteAccessConnect, tunnel, DecisionReason.Granted);
        _nonRestrictable = Inputs(AccountGenerator.TagReader, Permission.InventoryRead, RemoteAccessQuery.None, DecisionReason.Granted);
        _grantedDevices = [.. _granted.Select(i => _snapshot.TryGetNode(i.DeviceId, out var d) ? d : throw new InvalidOperationException(i.DeviceId))];
    }

    /// <summary>device:read, granted through a tag: grant (the 4th of 5 grants).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int GrantedDeviceRead() => Run(_granted);

    /// <summary>device:read of a node: grant on a device outside that group.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int DeniedOutOfScope() => Run(_outOfScope);

    /// <summary>remote-access:connect, tunnel tcp/8080 to localhost, granted by a port range; remote access on.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int GrantedTunnel() => Run(_tunnel);

    /// <summary>inventory:read with a device named: the device is ignored.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int GrantedNonRestrictable() => Run(_nonRestrictable);

    /// <summary>The granted device:read check with the user found as the service finds it: registry, then snapshot.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int GrantedDeviceReadViaRegistry() => RunViaRegistry(_registry);

    /// <summary>The same with accounts on demand (Preload=None): each hit also stamps its account used, for eviction.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int GrantedDeviceReadViaRegistryOnDemand() => RunViaRegistry(_onDemandRegistry);

    private int RunViaRegistry(SnapshotRegistry registry)
    {
        var allowed = 0;
        foreach (ref readonly var input in _granted.AsSpan())
        {
            if (registry.TryFindUser(input.UserId, out var snapshot, out var user)
                && Decide(snapshot, user, input).Allowed)
            {
                allowed++;
            }
        }

        return allowed;
    }

    /// <summary>Split of <see cref="GrantedDeviceRead"/>: the two dictionary lookups alone.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int LookupsOnly()
    {
        var snapshot = _snapshot;
        var found = 0;
        foreach (ref readonly var input in _granted.AsSpan())
        {
            if (snapshot.Users.TryGetValue(input.UserId, out _) && snapshot.TryGetNode(input.DeviceId, out _))
            {
                found++;
            }
        }

        return found;
    }

    /// <summary>Split of <see cref="GrantedDeviceRead"/>: Evaluator.Check alone, user and device already resolved.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int EvaluatorOnly()
    {
        var snapshot = _snapshot;
        var user = _snapshot.Users[AccountGenerator.TagReader];
        var allowed = 0;
        foreach (var device in _grantedDevices)
        {
            if (Evaluator.Check(snapshot, user, Permission.DeviceRead, device, false, RemoteAccessQuery.None).Allowed)
            {
                allowed++;
            }
        }

        return allowed;
    }

    private int Run(CheckInput[] inputs)
    {
        var snapshot = _snapshot;
        var allowed = 0;
        foreach (ref readonly var input in inputs.AsSpan())
        {
            snapshot.Users.TryGetValue(input.UserId, out var user);
            if (Decide(snapshot, user, input).Allowed)
            {
                allowed++;
            }
        }

        return allowed;
    }

    private static Decision Decide(AccountSnapshot snapshot, UserEntry? user, in CheckInput input) =>
        NamedCheck.Decide(snapshot, user, input.Permission, input.DeviceId, NodeNaming.Device, input.Query);

    /// <summary><see cref="Batch"/> checks on devices spread over the fleet that all get <paramref name="expected"/>.</summary>
    private CheckInput[] Inputs(string userId, Permission permission, RemoteAccessQuery query, DecisionReason expected)
    {
        var user = _snapshot.Users[userId];
        var matching = new List<int>();
        foreach (var device in _snapshot.DevicesInOrder)
        {
            var restrictable = PermissionCatalog.IsRestrictable(permission);
            if (Evaluator.Check(_snapshot, user, permission, restrictable ? device : -1, false, query).Reason == expected)
            {
                matching.Add(device);
            }
        }

        if (matching.Count < Batch)
        {
            throw new InvalidOperationException($"{userId} {permission}: only {matching.Count} devices answer {expected}");
        }

        var inputs = new CheckInput[Batch];
        for (var i = 0; i < Batch; i++)
        {
            var device = matching[(int)((long)i * matching.Count / Batch)];
            inputs[i] = new CheckInput(Fleet.Fresh(userId), Fleet.Fresh(_snapshot.NodeIds[device]), permission, query);
        }

        foreach (var input in inputs)
        {
            _snapshot.Users.TryGetValue(input.UserId, out var found);
            var reason = Decide(_snapshot, found, input).Reason;
            if (reason != expected)
            {
                throw new InvalidOperationException($"{userId} {permission} on {input.DeviceId}: {reason}, expected {expected}");
            }
        }

        return inputs;
    }

    private readonly record struct CheckInput(string UserId, string DeviceId, Permission Permission, RemoteAccessQuery Query);
}
