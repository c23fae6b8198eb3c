using System.Text;

namespace Qbee.Authz.Service.Domain;

/// <summary>Makes caller-supplied text safe to echo in an error message: short, no control characters.</summary>
internal static class Printable
{
    private const int MaxEcho = 80;

    public static string Clip(string value)
    {
        var builder = new StringBuilder(Math.Min(value.Length, MaxEcho) + 3);
        foreach (var rune in value.EnumerateRunes())
        {
            if (builder.Length >= MaxEcho)
            {
                builder.Append("...");
                break;
            }

            if (Rune.IsControl(rune))
            {
                builder.Append($"\\u{rune.Value:x4}");
            }
            else
            {
                builder.Append(rune.ToString());
            }
        }

        return builder.ToString();
    }
}
