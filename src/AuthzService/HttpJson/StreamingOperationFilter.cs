using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.OpenApi.Models;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Qbee.Authz.Service.HttpJson;

/// <summary>A server stream answers many messages where the document shows one: its description says how they come.</summary>
internal sealed class StreamingOperationFilter : IOperationFilter
{
    public const string Note =
        "Streamed: each message as a JSON object, one after another as they come; an error after the stream started is its last object, a google.rpc.Status, under HTTP 200.";

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var method = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<GrpcMethodMetadata>().FirstOrDefault()?.Method;
        if (method?.Type == MethodType.ServerStreaming)
        {
            operation.Description = string.IsNullOrEmpty(operation.Description) ? Note : $"{operation.Description}\n\n{Note}";
        }
    }
}
