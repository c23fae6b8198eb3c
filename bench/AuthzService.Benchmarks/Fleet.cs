using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Benchmarks;

/// <summary>The generated account and its snapshot, built once per benchmark process.</summary>
internal static class Fleet
{
    public const int Devices = 100_000;

    private static readonly Lazy<AccountData> LazyData = new(() => AccountGenerator.Generate(Devices));
    private static readonly Lazy<AccountSnapshot> LazySnapshot = new(() => Compile(LazyData.Value));

    public static AccountData Data => LazyData.Value;

    public static AccountSnapshot Snapshot => LazySnapshot.Value;

    /// <summary>Compiles, and refuses an account whose resources do not all parse: they would grant nothing.</summary>
    public static AccountSnapshot Compile(AccountData data)
    {
        var skipped = new List<string>();
        var snapshot = SnapshotCompiler.Compile(data, DateTimeOffset.UnixEpoch, skipped);
        if (skipped.Count > 0)
        {
            throw new InvalidOperationException($"The generated account has resources that do not compile: {string.Join("; ", skipped)}");
        }

        return snapshot;
    }

    /// <summary>A copy that is not the instance the snapshot holds: a request's id is never reference-equal to a key.</summary>
    public static string Fresh(string id) => new(id.AsSpan());
}
