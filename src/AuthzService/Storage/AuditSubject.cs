namespace Qbee.Authz.Service.Storage;

/// <summary>
/// The key of <c>audit_segment_subjects</c>: a 64-bit hash of (account, user or device). Small keys keep that
/// index cheap to insert into; a collision only makes a listing decode a segment it then filters out, because
/// every event is matched on its real ids after decoding.
/// </summary>
internal static class AuditSubject
{
    public const char User = 'u';
    public const char Device = 'd';

    private const ulong FnvOffset = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;

    /// <summary>FNV-1a over the UTF-16 code units: stored in the database, so it must never change.</summary>
    public static long Hash(string accountId, char kind, string subject)
    {
        var hash = FnvOffset;
        hash = Add(hash, accountId);
        hash = (hash ^ '\0') * FnvPrime;
        hash = (hash ^ kind) * FnvPrime;
        hash = (hash ^ '\0') * FnvPrime;
        hash = Add(hash, subject);
        return unchecked((long)hash);
    }

    private static ulong Add(ulong hash, string text)
    {
        foreach (var c in text)
        {
            hash = (hash ^ c) * FnvPrime;
        }

        return hash;
    }
}
