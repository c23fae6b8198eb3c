using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Admin;

/// <summary>A new account, named <paramref name="Name"/>, whose first user is <paramref name="Owner"/> (with the default role).</summary>
internal sealed record CreateAccountCommand(string AccountId, string Name, UserRecord Owner);
