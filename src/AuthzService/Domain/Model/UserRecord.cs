namespace Qbee.Authz.Service.Domain.Model;

internal enum UserState
{
    Active = 1,
    Disabled = 2,
}

/// <summary>A user: belongs to one account; its id and its email are unique across the platform.</summary>
internal sealed record UserRecord(
    string AccountId,
    string UserId,
    string Email,
    string FirstName,
    string LastName,
    IReadOnlyList<string> RoleIds,
    UserState Status);
