using System.Buffers;

namespace Qbee.Authz.Service.Domain;

/// <summary>The id rules of the contract: one place, used by admin writes, checks and page tokens.</summary>
internal static class Ids
{
    public const int MaxLength = 64;
    public const string Root = "root";
    public const string UnassignedGroup = "unassigned_group";
    public const string DefaultRoleId = "default";

    // Vectorised set tests: every check validates its ids, a CheckBatch a hundred times.
    private static readonly SearchValues<char> IdCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

    private static readonly SearchValues<char> LowercaseHex = SearchValues.Create("0123456789abcdef");

    /// <summary>account, user, role, group ids and tags: 1..64 of [A-Za-z0-9._-].</summary>
    public static bool IsValidId(ReadOnlySpan<char> id) =>
        id.Length is > 0 and <= MaxLength && !id.ContainsAnyExcept(IdCharacters);

    /// <summary>A device id is its public key digest: exactly 64 lowercase hex characters.</summary>
    public static bool IsDeviceId(ReadOnlySpan<char> id) =>
        id.Length == 64 && !id.ContainsAnyExcept(LowercaseHex);

    public static bool IsValidNodeId(ReadOnlySpan<char> id) => IsValidId(id);

    public static void RequireId(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new InvalidFieldException(field, "is required");
        }

        if (!IsValidId(value))
        {
            throw new InvalidFieldException(field, $"must be 1..{MaxLength} characters of [A-Za-z0-9._-]");
        }
    }

    public static void RequireDeviceId(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new InvalidFieldException(field, "is required");
        }

        if (!IsDeviceId(value))
        {
            throw new InvalidFieldException(field, "must be a device id: 64 lowercase hex characters");
        }
    }
}
