namespace Qbee.Authz.Service.Domain.Resources;

/// <summary>
/// Absolute file paths on a device: normalised (no '.', no '..', no empty segments) so that matching is on
/// whole segments and '..' can never climb above a granted prefix.
/// </summary>
internal static class DevicePath
{
    public const int MaxLength = 4096;

    /// <summary>Normalises an absolute path, or returns the reason it is refused.</summary>
    public static bool TryNormalize(string path, out string normalized, out string error)
    {
        normalized = string.Empty;
        if (path.Length == 0)
        {
            error = "is empty";
            return false;
        }

        if (path.Length > MaxLength)
        {
            error = $"is longer than {MaxLength} characters";
            return false;
        }

        if (path[0] != '/')
        {
            error = "must be an absolute path (start with '/')";
            return false;
        }

        foreach (var c in path)
        {
            if (char.IsControl(c))
            {
                error = "must not contain control characters";
                return false;
            }

            // Percent-encoding would let one path have two spellings; refuse it rather than guess.
            if (c is '%' or '\\')
            {
                error = $"must not contain '{c}'";
                return false;
            }
        }

        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                // At the root, '..' stays at the root, like the kernel does.
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }

                continue;
            }

            segments.Add(segment);
        }

        normalized = "/" + string.Join('/', segments);
        error = string.Empty;
        return true;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="prefix"/> or below it (both normalised).</summary>
    public static bool IsUnder(string path, string prefix)
    {
        if (prefix.Length == 1)
        {
            return true;
        }

        return path.StartsWith(prefix, StringComparison.Ordinal)
            && (path.Length == prefix.Length || path[prefix.Length] == '/');
    }
}
