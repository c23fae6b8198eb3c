using System.Text;
using System.Text.Json;

namespace Qbee.Authz.Service.Storage;

/// <summary>
/// A list of ids as one statement parameter: a JSON array, which SQLite reads with <c>json_each</c> and SQL Server
/// with <c>OPENJSON</c>. A batch's thousand ids are then one bound value, not a thousand.
/// </summary>
internal static class SqlIdList
{
    public static string Json(IEnumerable<string> ids)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var id in ids)
            {
                json.WriteStringValue(id);
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
