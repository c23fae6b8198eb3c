using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.Grpc.Mapping;

/// <summary>Nodes, records to messages, and the node type both ways.</summary>
internal static class NodeMapping
{
    public static Node ToProto(this NodeRecord node)
    {
        var message = new Node
        {
            AccountId = node.AccountId,
            NodeId = node.NodeId,
            Type = node.Kind.ToProto(),
            ParentId = node.ParentId,
            Title = node.Title,
            AgentRemoteAccessDisabled = node.AgentRemoteAccessDisabled,
        };
        message.Tags.AddRange(node.Tags);
        return message;
    }

    public static NodeType ToProto(this NodeKind kind) => kind switch
    {
        NodeKind.Group => NodeType.Group,
        NodeKind.Device => NodeType.Device,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Null for unspecified (a node must say what it is) and for a value this build does not know.</summary>
    public static NodeKind? ToDomain(this NodeType type) => type switch
    {
        NodeType.Group => NodeKind.Group,
        NodeType.Device => NodeKind.Device,
        _ => null,
    };
}
