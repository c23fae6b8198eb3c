using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.Grpc.Mapping;

/// <summary>Users, records to messages, and the user status both ways.</summary>
internal static class UserMapping
{
    public static User ToProto(this UserRecord user)
    {
        var message = new User
        {
            AccountId = user.AccountId,
            UserId = user.UserId,
            Email = user.Email,
            FirstName = user.FirstName,
            LastName = user.LastName,
            Status = user.Status.ToProto(),
        };
        message.RoleIds.AddRange(user.RoleIds);
        return message;
    }

    public static UserStatus ToProto(this UserState state) => state switch
    {
        UserState.Active => UserStatus.Active,
        UserState.Disabled => UserStatus.Disabled,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    /// <summary>Unspecified reads as active (a new user is active unless said otherwise); null: a value this build does not know.</summary>
    public static UserState? ToDomain(this UserStatus status) => status switch
    {
        UserStatus.Unspecified or UserStatus.Active => UserState.Active,
        UserStatus.Disabled => UserState.Disabled,
        _ => null,
    };
}
