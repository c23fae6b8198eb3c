using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Qbee.Authz.Cli.Output;

/// <summary>Protobuf's own JSON (what grpcurl prints and <c>-d</c> takes): one message per line.</summary>
internal static class ProtoJson
{
    public static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);

    public static readonly JsonParser Parser = new(JsonParser.Settings.Default);

    public static Task WriteLineAsync(TextWriter output, IMessage message) => output.WriteLineAsync(Formatter.Format(message));

    /// <summary>An enum value as the proto names it, less its type prefix: <c>DECISION_REASON_GRANTED</c> -> <c>GRANTED</c>.</summary>
    public static string ShortName(EnumDescriptor descriptor, int value, string prefix)
    {
        var name = descriptor.FindValueByNumber(value)?.Name ?? value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : name;
    }
}
