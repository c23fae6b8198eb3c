using System.Reflection;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.UnitTests.Snapshots;

/// <summary>A store that is down: every call fails as a refused connection would.</summary>
public class FailingStore : DispatchProxy
{
    internal static IAuthzStore Create() => Create<IAuthzStore, FailingStore>();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        throw new InvalidOperationException($"the store is down ({targetMethod?.Name})");
}
