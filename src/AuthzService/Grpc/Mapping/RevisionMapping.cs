namespace Qbee.Authz.Service.Grpc.Mapping;

internal static class RevisionMapping
{
    /// <summary>Revisions travel as uint64 and are stored as int64: anything above is simply never reached.</summary>
    public static long ToRevision(ulong revision) => (long)Math.Min(revision, long.MaxValue);
}
