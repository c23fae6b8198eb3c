using Microsoft.OpenApi.Models;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Qbee.Authz.Service.HttpJson;

/// <summary>
/// 64-bit integers are written as strings (protobuf's JSON mapping, <c>WriteInt64sAsStrings</c>): the schemas say
/// string where the generator says integer. Requests take either.
/// </summary>
internal sealed class Int64AsStringSchemaFilter : ISchemaFilter
{
    public void Apply(OpenApiSchema schema, SchemaFilterContext context)
    {
        foreach (var property in schema.Properties.Values)
        {
            var item = property.Type == "array" ? property.Items : property;
            if (item is { Type: "integer", Format: "int64" or "uint64" })
            {
                item.Type = "string";
            }
        }
    }
}
