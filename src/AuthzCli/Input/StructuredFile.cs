using System.Text.Json;

namespace Qbee.Authz.Cli.Input;

/// <summary>A JSON or YAML file as a JSON document (protobuf's JSON parser then reads the messages in it).</summary>
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

        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new CliInputException($"{path}: not valid JSON: {e.Message}");
        }
    }
}
