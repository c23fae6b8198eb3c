using System.Globalization;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Qbee.Authz.Cli.Input;

/// <summary>A JSON or YAML file as a JSON document (protobuf's JSON parser then reads the messages in it). YAML is
/// anything that does not start with <c>{</c> or <c>[</c>; its plain scalars become numbers, booleans and nulls as in JSON.</summary>
internal static class StructuredFile
{
    public static JsonElement Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliInputException($"{path}: {e.Message}");
        }

        var json = text.TrimStart() is ['{' or '[', ..] ? text : YamlToJson(path, text);
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new CliInputException($"{path}: not valid JSON: {e.Message}");
        }
    }

    private static string YamlToJson(string path, string text)
    {
        var yaml = new YamlStream();
        try
        {
            yaml.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new CliInputException($"{path}:{e.Start.Line}: not valid YAML: {e.Message}");
        }

        if (yaml.Documents.Count != 1)
        {
            throw new CliInputException($"{path}: expected one YAML document, found {yaml.Documents.Count}");
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, yaml.Documents[0].RootNode);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                writer.WriteStartObject();
                foreach (var (key, value) in mapping.Children)
                {
                    writer.WritePropertyName(((YamlScalarNode)key).Value ?? string.Empty);
                    Write(writer, value);
                }

                writer.WriteEndObject();
                break;
            case YamlSequenceNode sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Children)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case YamlScalarNode { Style: ScalarStyle.Plain } scalar:
                WritePlain(writer, scalar.Value ?? string.Empty);
                break;
            case YamlScalarNode scalar:
                writer.WriteStringValue(scalar.Value);
                break;
            default:
                throw new CliInputException($"line {node.Start.Line}: YAML aliases are not supported");
        }
    }

    /// <summary>An unquoted scalar: <c>true</c>, <c>false</c>, <c>null</c>/<c>~</c>/empty and numbers keep their JSON type.</summary>
    private static void WritePlain(Utf8JsonWriter writer, string value)
    {
        switch (value)
        {
            case "true":
                writer.WriteBooleanValue(true);
                return;
            case "false":
                writer.WriteBooleanValue(false);
                return;
            case "" or "~" or "null":
                writer.WriteNullValue();
                return;
        }

        if (decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }
}
