namespace Qbee.Authz.Service.Domain.Resources;

/// <summary>A resource string that does not follow the grammar; the message names the offending part.</summary>
internal sealed class ResourceSyntaxException(string message) : Exception(message);
