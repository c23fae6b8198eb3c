namespace Qbee.Authz.Service.Domain.Resources;

/// <summary>What a resource's entity selects: every device, a tag, or a node and everything below it.</summary>
internal enum EntityKind : byte
{
    Any = 0,
    Tag = 1,
    Node = 2,
}
