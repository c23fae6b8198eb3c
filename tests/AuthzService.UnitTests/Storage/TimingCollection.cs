namespace Qbee.Authz.Service.UnitTests.Storage;

/// <summary>Tests that measure time run with nothing else beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "Timing";
}
