namespace Qbee.Authz.Service.Domain;

/// <summary>The id rules of the contract: one place, used by admin writes, checks and page tokens.</summary>
internal static class Ids
{
    public const int MaxLength = 64;
    public const string Root = "root";
    public const string UnassignedGroup = "unassigned_group";
    public const string DefaultRoleId = "default";

    /// <summary>account, user, role, group ids and tags: 1..64 of [A-Za-z0-9._-].</summary>
    public static bool IsValidId(ReadOnlySpan<char> id)
    {
        if (id.Length is 0 or > MaxLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A device id is its public key digest: exactly 64 lowercase hex characters.</summary>
    public static bool IsDeviceId(ReadOnlySpan<char> id)
    {
        if (id.Length != 64)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!(char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }

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
