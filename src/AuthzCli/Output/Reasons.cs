using Qbee.Authz.V1;

namespace Qbee.Authz.Cli.Output;

/// <summary>Decision reasons in human output: <c>PERMISSION_NOT_GRANTED</c> (JSON output keeps the full proto name).</summary>
internal static class Reasons
{
    private static readonly Google.Protobuf.Reflection.EnumDescriptor Descriptor = TypesReflection.Descriptor.EnumTypes.Single(e => e.ClrType == typeof(DecisionReason));

    public static string Name(DecisionReason reason) => ProtoJson.ShortName(Descriptor, (int)reason, "DECISION_REASON_");
}
