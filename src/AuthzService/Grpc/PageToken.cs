using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Qbee.Authz.Service.Domain;

namespace Qbee.Authz.Service.Grpc;

/// <summary>
/// Opaque page tokens: a cursor bound to the query that made it. A token of another query, or one that was
/// edited, is refused with INVALID_ARGUMENT instead of silently paging something else.
/// </summary>
internal static class PageToken
{
    public const int DefaultPageSize = 100;
    private const string Version = "v1";

    /// <summary>
    /// page_size of every paged call: 0 means the default (capped by <paramref name="maxPageSize"/>, the
    /// Authz:Limits:MaxPageSize setting), anything outside 1..max is refused.
    /// </summary>
    public static int ReadPageSize(int pageSize, int maxPageSize, string field = "page_size") => pageSize switch
    {
        0 => Math.Min(DefaultPageSize, maxPageSize),
        > 0 when pageSize <= maxPageSize => pageSize,
        _ => throw new InvalidFieldException(field, $"must be 1..{maxPageSize} (0: {Math.Min(DefaultPageSize, maxPageSize)})"),
    };

    public static string Encode(string query, string cursor)
    {
        var payload = $"{Version}|{Binding(query)}|{cursor}|{Binding(Version + query + cursor)}";
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload));
    }

    /// <summary>The cursor; empty for an empty token (the first page).</summary>
    public static string Decode(string token, string query, string field)
    {
        if (token.Length == 0)
        {
            return string.Empty;
        }

        string payload;
        try
        {
            if (token.Length > 512)
            {
                throw new FormatException();
            }

            payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            throw new InvalidFieldException(field, "is not a page token of this service");
        }

        var parts = payload.Split('|');
        if (parts.Length != 4 || parts[0] != Version || parts[3] != Binding(Version + query + parts[2]))
        {
            throw new InvalidFieldException(field, "is not a page token of this service");
        }

        if (parts[1] != Binding(query))
        {
            throw new InvalidFieldException(field, "belongs to another query: repeat the query's other fields unchanged");
        }

        return parts[2];
    }

    // A checksum against edits and mix-ups, not a secret: a cursor reveals nothing the caller may not see.
    private static string Binding(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 8));
}
