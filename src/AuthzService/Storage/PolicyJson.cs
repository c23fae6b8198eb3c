using System.Text.Json;
using System.Text.Json.Serialization;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Storage;

/// <summary>A role's policies as stored in <c>roles.policies</c>: <c>[{"permission":..,"resources":[..]}]</c>.</summary>
internal static class PolicyJson
{
    public static string Serialize(IReadOnlyList<PolicyRecord> policies) =>
        JsonSerializer.Serialize(policies, PolicyJsonContext.Default.IReadOnlyListPolicyRecord);

    public static IReadOnlyList<PolicyRecord> Deserialize(string json) =>
        JsonSerializer.Deserialize(json, PolicyJsonContext.Default.IReadOnlyListPolicyRecord) ?? [];
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(IReadOnlyList<PolicyRecord>))]
internal sealed partial class PolicyJsonContext : JsonSerializerContext;
