namespace Qbee.Authz.Service.Checks;

/// <summary>GetEffectivePermissions' question: a user (at a revision), on a device (empty: anywhere).</summary>
internal readonly record struct EffectivePermissionsQuery(string UserId, string DeviceId, long MinRevision);
