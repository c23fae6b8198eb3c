using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Benchmarks;

/// <summary>The generated account and its snapshot, built once per benchmark process.</summary>
internal static class Fleet
{
    public const int Devices = 100_000;

    private static readonly Lazy<AccountData> LazyData = new(() => AccountGenerator.Generate(Devices));
    private static readonly Lazy<AccountSnapshot> LazySnapshot = new(() => AccountGenerator.Compile(LazyData.Value));

    public static AccountData Data => LazyData.Value;

    public static AccountSnapshot Snapshot => LazySnapshot.Value;

    /// <summary>A copy that is not the instance the snapshot holds: a request's id is never reference-equal to a key.</summary>
    public static string Fresh(string id) => new(id.AsSpan());
}
