namespace Qbee.Authz.Service.Domain.Evaluation;

/// <summary>What a request named a node as: a device ({device_id}, a check's device_id), a group ({group_id}) or either ({node_id}).</summary>
internal enum NodeNaming : byte
{
    Device,
    Group,
    AnyNode,
}
