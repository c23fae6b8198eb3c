using Qbee.Authz.Service.Domain;

namespace Qbee.Authz.Service.Grpc.Validation;

/// <summary>
/// Fixed size limits of admin text fields and lists. The limits an operator may tune (policies per role,
/// resources per policy) are in <see cref="LimitsOptions"/>.
/// </summary>
internal static class AdminLimits
{
    public const int MaxNameLength = 128;
    public const int MaxDescriptionLength = 2048;
    public const int MaxRolesPerUser = 100;

    /// <summary>Users in one PutUsers (bulk import).</summary>
    public const int MaxUsersPerWrite = 1_000;
    public const int MaxTagsPerNode = 64;
    public const int MaxTitleLength = 256;

    /// <summary>RFC 5321: a mail path is at most 256 octets with its angle brackets, so an address at most 254.</summary>
    public const int MaxEmailLength = 254;
}
