namespace Qbee.Authz.Service.Checks;

/// <summary>The permissions (canonical names) a user holds, on a device or anywhere, and the UI elements they unlock.</summary>
internal sealed record EffectivePermissions(long Revision, IReadOnlyList<string> Permissions, IReadOnlyList<string> UiElements);
