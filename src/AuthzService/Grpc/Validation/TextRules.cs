using Qbee.Authz.Service.Domain;

namespace Qbee.Authz.Service.Grpc.Validation;

/// <summary>Free-text fields (names, titles, descriptions): bounded, no control characters.</summary>
internal static class TextRules
{
    public static string Require(string? value, string field, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidFieldException(field, "is required");
        }

        return Optional(value, field, maxLength);
    }

    public static string Optional(string? value, string field, int maxLength, bool allowNewlines = false)
    {
        value ??= string.Empty;
        if (value.Length > maxLength)
        {
            throw new InvalidFieldException(field, $"is longer than {maxLength} characters");
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c) && !(allowNewlines && c is '\n' or '\r' or '\t'))
            {
                throw new InvalidFieldException(field, "must not contain control characters");
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                throw new InvalidFieldException(field, "is not valid UTF-16 text");
            }
        }

        return value.Trim();
    }

    /// <summary>
    /// ASCII only: a Unicode lookalike (Cyrillic 'а' for 'a') would otherwise be a second account with the
    /// same visible address. Compared case-insensitively by the store.
    /// </summary>
    public static string Email(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new InvalidFieldException(field, "is required");
        }

        if (value.Length > AdminLimits.MaxEmailLength)
        {
            throw new InvalidFieldException(field, $"is longer than {AdminLimits.MaxEmailLength} characters");
        }

        var at = value.IndexOf('@');
        if (at <= 0 || at != value.LastIndexOf('@') || at == value.Length - 1)
        {
            throw new InvalidFieldException(field, "must be one address of the form local@domain");
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var ok = i < at
                ? char.IsAsciiLetterOrDigit(c) || "!#$%&'*+/=?^_`{|}~.-".Contains(c)
                : c == '@' || char.IsAsciiLetterOrDigit(c) || c is '.' or '-';
            if (!ok)
            {
                throw new InvalidFieldException(field, $"has a character that is not allowed in an address: '{Printable.Clip(c.ToString())}' (ASCII only)");
            }
        }

        var domain = value[(at + 1)..];
        if (domain.StartsWith('.') || domain.EndsWith('.') || domain.Contains("..") || value[..at].StartsWith('.') || value[..at].EndsWith('.'))
        {
            throw new InvalidFieldException(field, "has a misplaced '.'");
        }

        return value;
    }
}
