namespace Qbee.Authz.Service.Admin;

/// <summary>Size limits of admin writes: they keep one role or node from bloating every snapshot.</summary>
internal static class AdminLimits
{
    public const int MaxNameLength = 128;
    public const int MaxDescriptionLength = 2048;
    public const int MaxPoliciesPerRole = 100;
    public const int MaxResourcesPerPolicy = 100;
    public const int MaxRolesPerUser = 100;
    public const int MaxTagsPerNode = 64;
    public const int MaxTitleLength = 256;
}
